import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '@omnifuse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOnnxModel } from '../build-onnx-model.js';
import { fitWithoutOnnxRuntime, type RunWithoutOnnxRuntimeOptions } from './without-onnx-runtime.js';

export interface WithoutOnnxRuntimeSuiteOptions extends RunWithoutOnnxRuntimeOptions {
  /** The plugin package, imported by name; its default export lists its plugins. */
  readonly packageName: string;
  /** The ONNX encoder's plugin id, e.g. `vision:onnx`. */
  readonly plugin: string;
  /** Options for `create`, given a readable tiny model file and a scratch folder for other files. */
  readonly encoderOptions: (model: string, dir: string) => unknown;
}

/**
 * Registers a test that an ONNX encoder's package imports and creates it without onnxruntime-node
 * (an optional peer: a user who never creates `*:onnx` need not install it), and that `fit` then
 * fails with `E_BACKEND_UNAVAILABLE`, naming the install command and the `allowScripts` advice.
 */
export function describeWithoutOnnxRuntime(options: WithoutOnnxRuntimeSuiteOptions): void {
  describe(`${options.plugin} without onnxruntime-node`, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-no-ort-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('imports and creates, and fitting says how to install it', async () => {
      // Any readable model will do: the runtime is missing before the model's inputs matter.
      const model = path.join(dir, 'model.onnx');
      writeFileSync(
        model,
        buildOnnxModel({
          inputs: [{ name: 'x', shape: ['batch', 2] }],
          outputs: [{ name: 'y', shape: ['batch', 2] }],
          nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
        }),
      );
      const { error } = await fitWithoutOnnxRuntime({
        ...options,
        encoderOptions: options.encoderOptions(model, dir),
      });
      expect(error).toMatchObject({
        code: ErrorCode.BackendUnavailable,
        plugin: options.plugin,
        step: 'fit',
        details: { package: 'onnxruntime-node', install: 'npm install onnxruntime-node' },
      });
      expect(error?.message).toContain('npm install onnxruntime-node');
      expect(error?.message).toContain('"allowScripts": { "onnxruntime-node": false }');
    });
  });
}
