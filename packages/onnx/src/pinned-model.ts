import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { loadOnnxModel, type OnnxModel } from './load-onnx-model.js';
import { asModelOptionError } from './model-option-errors.js';

/**
 * One ONNX session per encoder instance, opened on first use and shared by every record, and tied to
 * the weights the encoder was fitted with: features are cached under the fitted model's hash, so a
 * session holding other weights must never produce them.
 */
export interface PinnedOnnxModel {
  /** The session, opening it on first use; a failed open is retried by the next call. */
  open(step: string): Promise<OnnxModel>;
  /** A fresh session from the file as it is now (fitting pins those weights). */
  reopen(step: string): Promise<OnnxModel>;
  /**
   * The session whose weights have this sha256. The file is reopened once when the open session
   * holds other weights (the file changed since); a file that still differs is an `E_INPUT` error.
   */
  withWeights(sha256: string): Promise<OnnxModel>;
}

export interface PinnedOnnxModelOptions {
  /** Plugin id named in errors. */
  readonly plugin: string;
  /**
   * Turns an open failure into the error the plugin raises for that step; default an `E_OPTIONS`
   * error about the `model` option, naming the plugin, the step and the file.
   */
  readonly openError?: (error: unknown, step: string) => Error;
}

export function pinOnnxModel(file: string, options: PinnedOnnxModelOptions): PinnedOnnxModel {
  const openError =
    options.openError ??
    ((error: unknown, step: string) =>
      asModelOptionError(error, { plugin: options.plugin, step, path: 'model', file }));
  let model: Promise<OnnxModel> | undefined;
  const open = (step: string): Promise<OnnxModel> => {
    if (!model) {
      const opening: Promise<OnnxModel> = loadOnnxModel(file).catch((error: unknown) => {
        if (model === opening) model = undefined;
        throw openError(error, step);
      });
      model = opening;
    }
    return model;
  };
  const withWeights = async (sha256: string): Promise<OnnxModel> => {
    const opened = open('preprocess');
    let loaded = await opened;
    if (loaded.sha256 !== sha256) {
      // The old session is left to the garbage collector: other records may still be running on it.
      if (model === opened) model = undefined;
      loaded = await open('preprocess');
    }
    if (loaded.sha256 !== sha256) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: 'the model file is not the one the encoder was fitted with; fit again',
        plugin: options.plugin,
        step: 'preprocess',
        file,
        expected: `sha256 ${sha256}`,
        found: `sha256 ${loaded.sha256}`,
      });
    }
    return loaded;
  };
  const reopen = (step: string): Promise<OnnxModel> => {
    model = undefined;
    return open(step);
  };
  return { open, reopen, withWeights };
}
