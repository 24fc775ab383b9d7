import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type * as Ort from 'onnxruntime-node';

export type OrtModule = typeof Ort;

let loading: Promise<OrtModule> | undefined;

/**
 * onnxruntime-node, imported on first use: importing `@omnifuse/onnx` (e.g. for the model
 * builder) never loads the native binary, and a missing or broken install becomes one
 * E_BACKEND_UNAVAILABLE error instead of a crash at import time.
 */
export function loadOnnxRuntime(): Promise<OrtModule> {
  loading ??= import('onnxruntime-node').then(
    // A CommonJS package: its exports are the namespace's default under some loaders.
    (module) => ((module as { default?: OrtModule }).default ?? module) as OrtModule,
    (error: unknown) => {
      loading = undefined;
      throw new OmnifuseError({
        code: ErrorCode.BackendUnavailable,
        message: `onnxruntime-node could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
        expected: 'onnxruntime-node installed with its native binary for this platform',
        found: `${process.platform}-${process.arch}, node ${process.versions.node}`,
        cause: error,
      });
    },
  );
  return loading;
}
