import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { asModelOptionError } from './model-option-errors.js';
import { loadOnnxRuntime, ONNX_RUNTIME_INSTALL } from './onnx-runtime.js';
import { notInstalled } from './test-fixtures.js';

async function rejection(run: () => Promise<unknown>): Promise<OmnifuseError> {
  try {
    await run();
  } catch (error) {
    expect(OmnifuseError.isInstance(error), `threw ${String(error)}, not an OmnifuseError`).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error('expected a rejection');
}

describe('loadOnnxRuntime', () => {
  it('says how to install onnxruntime-node when it is missing, and how to skip its GPU download', async () => {
    const error = await rejection(() =>
      loadOnnxRuntime({ importModule: () => Promise.reject(notInstalled()) }),
    );
    expect(error.code).toBe(ErrorCode.BackendUnavailable);
    expect(error.message).toContain('onnxruntime-node is not installed');
    expect(error.message).toContain('npm install onnxruntime-node');
    expect(error.message).toContain('"allowScripts": { "onnxruntime-node": false }');
    expect(error.details).toMatchObject({ package: 'onnxruntime-node', install: ONNX_RUNTIME_INSTALL });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('tells an install whose native binding fails apart from a missing one', async () => {
    const binding = new Error(
      "Cannot find module '../bin/napi-v6/linux/x64/onnxruntime_binding.node'\nRequire stack: …",
    );
    const error = await rejection(() => loadOnnxRuntime({ importModule: () => Promise.reject(binding) }));
    expect(error.code).toBe(ErrorCode.BackendUnavailable);
    expect(error.message).toMatch(
      /^onnxruntime-node could not be loaded: Cannot find module '.*binding\.node'; /,
    );
    expect(error.message).not.toContain('Require stack');
    expect(error.found).toContain(process.platform);
  });

  it('imports the installed runtime once', async () => {
    const first = loadOnnxRuntime();
    expect(loadOnnxRuntime()).toBe(first);
    expect(typeof (await first).InferenceSession.create).toBe('function');
  });

  it('stays E_BACKEND_UNAVAILABLE, with no option path, when an encoder stamps it', async () => {
    const missing = await rejection(() =>
      loadOnnxRuntime({ importModule: () => Promise.reject(notInstalled()) }),
    );
    const stamped = asModelOptionError(missing, {
      plugin: 'x:onnx',
      step: 'fit',
      path: 'model',
      field: 'image',
      file: 'm.onnx',
    });
    expect(stamped).toMatchObject({
      code: ErrorCode.BackendUnavailable,
      plugin: 'x:onnx',
      step: 'fit',
      field: 'image',
      file: 'm.onnx',
    });
    expect(stamped.path).toBeUndefined();
    expect(stamped.message).toMatch(
      /^\[plugin x:onnx\.fit, field "image", file m\.onnx\] onnxruntime-node is not installed/,
    );
  });
});
