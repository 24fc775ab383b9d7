import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type * as Ort from 'onnxruntime-node';

export type OrtModule = typeof Ort;

/** The optional peer dependency that runs ONNX models, and how to install it. */
export const ONNX_RUNTIME_PACKAGE = 'onnxruntime-node';
export const ONNX_RUNTIME_INSTALL = `npm install ${ONNX_RUNTIME_PACKAGE}`;
/** package.json setting that skips its install script, which downloads GPU parts (and fails offline). */
export const ONNX_RUNTIME_ALLOW_SCRIPTS = { allowScripts: { [ONNX_RUNTIME_PACKAGE]: false } } as const;

/** Imports a module by name, like a dynamic `import()`. */
export type ImportModule = (specifier: string) => Promise<unknown>;

export interface LoadOnnxRuntimeOptions {
  /** Imports a module by name; default a plain dynamic `import()`. Tests pass one that fails. */
  readonly importModule?: ImportModule;
}

let loading: Promise<OrtModule> | undefined;

/**
 * onnxruntime-node, imported on first use: it is an optional peer dependency (288 MB), so importing
 * `@omnifuse/onnx` or a modality package never loads it, and a missing or broken install becomes one
 * `E_BACKEND_UNAVAILABLE` error saying what to install instead of a crash at import time.
 */
export function loadOnnxRuntime(options: LoadOnnxRuntimeOptions = {}): Promise<OrtModule> {
  if (options.importModule) return importOnnxRuntime(options.importModule);
  loading ??= importOnnxRuntime(() => import('onnxruntime-node')).catch((error: unknown) => {
    loading = undefined; // the next call tries again (e.g. after an install)
    throw error;
  });
  return loading;
}

async function importOnnxRuntime(importModule: ImportModule): Promise<OrtModule> {
  let module: unknown;
  try {
    module = await importModule(ONNX_RUNTIME_PACKAGE);
  } catch (error) {
    throw onnxRuntimeUnavailable(error);
  }
  // A CommonJS package: its exports are the namespace's default under some loaders.
  return ((module as { default?: OrtModule }).default ?? module) as OrtModule;
}

/** The error for an onnxruntime-node that is not installed, or installed without a working binary. */
function onnxRuntimeUnavailable(error: unknown): OmnifuseError {
  const details = {
    package: ONNX_RUNTIME_PACKAGE,
    install: ONNX_RUNTIME_INSTALL,
    packageJson: ONNX_RUNTIME_ALLOW_SCRIPTS,
  };
  if (isPackageMissing(error, ONNX_RUNTIME_PACKAGE)) {
    return new OmnifuseError({
      code: ErrorCode.BackendUnavailable,
      message:
        `${ONNX_RUNTIME_PACKAGE} is not installed; ONNX models and encoders need it (an optional peer ` +
        `dependency): ${ONNX_RUNTIME_INSTALL}. Offline or CPU-only? First add "allowScripts": ` +
        `{ "${ONNX_RUNTIME_PACKAGE}": false } to package.json, so its install script skips the GPU download.`,
      details,
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new OmnifuseError({
    code: ErrorCode.BackendUnavailable,
    message: `${ONNX_RUNTIME_PACKAGE} could not be loaded: ${reason.split('\n')[0]}; reinstall it: ${ONNX_RUNTIME_INSTALL}`,
    expected: `${ONNX_RUNTIME_PACKAGE} installed with its native binary for this platform`,
    found: `${process.platform}-${process.arch}, node ${process.versions.node}`,
    details,
    cause: error,
  });
}

/**
 * Whether an import failed because the package itself is not installed (Node: ERR_MODULE_NOT_FOUND /
 * "Cannot find package 'x'"; bundlers: "Could not resolve "x""), not because a file inside it is
 * missing or its native binding fails to load.
 */
function isPackageMissing(error: unknown, pkg: string): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const quoted = message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`);
  return quoted && /cannot find (package|module)|could not resolve/i.test(message);
}
