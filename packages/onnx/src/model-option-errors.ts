import { statSync } from 'node:fs';
import { asPluginError, ErrorCode, OmnifuseError, type PluginErrorContext } from '@omnifuse/core';

export interface CheckModelFileOptions {
  /** Plugin id named in the error. */
  readonly plugin: string;
  /** The option that names the file (the error's `path`); default `model`. */
  readonly option?: string;
  /** What the file is, for the message (`… file not found`); default `ONNX model`. */
  readonly label?: string;
  /** The error's `expected`; default `an existing .onnx file`. */
  readonly expected?: string;
}

/**
 * Checks at create that a file an option names (the `.onnx` model, or a file that goes with it such
 * as `tokenizer.json`) exists and is not a directory, so a wrong path is an `E_OPTIONS` error naming
 * the plugin and the option rather than a failure at the first fit.
 */
export function checkModelFile(file: string, options: CheckModelFileOptions): void {
  const { plugin, option = 'model', label = 'ONNX model', expected = 'an existing .onnx file' } = options;
  let found: string | undefined;
  try {
    if (statSync(file).isDirectory()) found = 'a directory';
  } catch (error) {
    found = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
  }
  if (found) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `${label} file not found (relative paths resolve against ${process.cwd()})`,
      plugin,
      step: 'create',
      path: option,
      file,
      expected,
      found,
    });
  }
}

/**
 * Stamps an error from opening a model or fitting to it (wrong inputs, outputs, shapes) as
 * `E_OPTIONS` with the plugin, the step and the file: nothing there depends on a record, so a model
 * that does not fit is a wrong option. A missing onnxruntime-node stays `E_BACKEND_UNAVAILABLE`, with
 * no option path: no option fixes it, an install does.
 */
export function asModelOptionError(error: unknown, where: Omit<PluginErrorContext, 'code'>): OmnifuseError {
  if (OmnifuseError.isInstance(error) && error.code === ErrorCode.BackendUnavailable) {
    const { path: _option, ...context } = where;
    return asPluginError(error, context);
  }
  return asPluginError(error, { ...where, code: ErrorCode.InvalidOptions });
}
