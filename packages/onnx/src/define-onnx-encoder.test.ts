import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as runtime from './onnx-runtime.js';

// Every open goes through the real loader unless a test makes onnxruntime-node look uninstalled.
vi.mock('./onnx-runtime.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./onnx-runtime.js')>();
  return { ...original, loadOnnxRuntime: vi.fn(original.loadOnnxRuntime) };
});
const loadOnnxRuntime = vi.mocked(runtime.loadOnnxRuntime);

import { defineOnnxEncoder, modelValueName, type OnnxEncoderStateBase } from './define-onnx-encoder.js';
import { buildTinyCnn, notInstalled } from './test-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-onnx-encoder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cnn = buildTinyCnn({ channels: 1, filters: 3, height: 4, width: 4 });
const modelFile = path.join(dir, 'tiny-cnn.onnx');
writeFileSync(modelFile, cnn.bytes);

interface ToyOptions {
  readonly model: string;
  readonly output?: string;
}
interface ToyState extends OnnxEncoderStateBase {
  readonly output: string;
  readonly outputDim: number;
}

/** A 4×4 grey image as 16 numbers in, the tiny CNN's 3 features out. */
const toy = defineOnnxEncoder<number[], ToyOptions, ToyState, Float32Array>({
  id: 'toy:onnx',
  modality: 'tabular',
  packageName: 'toy',
  description: 'numbers → tiny CNN',
  version: '1.0.0',
  // Nothing to validate: a pass-through stands in for the zod schema a real encoder has.
  schema: { safeParse: (value: unknown) => ({ success: true, data: value }) } as never,
  instance: (options) => ({
    async fit(model) {
      const output = modelValueName(model, 'output', options.output);
      return { output, outputDim: 3 };
    },
    async prepare(raw, _state, context) {
      if (raw.length !== 16) {
        throw new OmnifuseError({ code: ErrorCode.InvalidInput, message: 'not 16 pixels', ...context });
      }
      return Float32Array.from(raw);
    },
    async run(model, data, state) {
      const out = await model.run({ image: { data, dims: [1, 1, 4, 4] } }, { outputs: [state.output] });
      return out[state.output]!.data as Float32Array;
    },
    featureShape: (state) => [state.outputDim],
    head: { units: null, activation: 'relu', dropout: 0 },
  }),
});

const fitContext = { field: 'pixels', readMedia: async () => new Uint8Array() };
const context = (record: string) => ({ ...fitContext, record });

async function rejection(run: () => unknown): Promise<OmnifuseError> {
  try {
    await run();
  } catch (error) {
    expect(OmnifuseError.isInstance(error), `threw ${String(error)}, not an OmnifuseError`).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error('expected a rejection');
}

describe('defineOnnxEncoder', () => {
  it('pins the model file in the state and runs one value at a time', async () => {
    const encoder = toy.create({ model: modelFile });
    expect(toy.plugin).toMatchObject({ id: 'toy:onnx', kind: 'encoder', packageName: 'toy' });
    const state = await encoder.fit([], fitContext);
    expect(state).toEqual({
      model: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), byteLength: cnn.bytes.length },
      runtime: expect.stringMatching(/^onnxruntime-node \d/),
      output: 'features',
      outputDim: 3,
    });
    const feature = await encoder.preprocess(Array(16).fill(0.5), state, context('a'));
    expect(feature).toMatchObject({ dtype: 'float32', shape: [3] });
    expect(encoder.featureSpec(state)).toEqual({ dtype: 'float32', shape: [3] });
  });

  it('stamps errors: E_OPTIONS at create and fit, the record at preprocess', async () => {
    const missing = path.join(dir, 'nope.onnx');
    expect(() => toy.create({ model: missing })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, plugin: 'toy:onnx', path: 'model' }),
    );

    const wrongOutput = await rejection(() =>
      toy.create({ model: modelFile, output: 'logits' }).fit([], fitContext),
    );
    expect(wrongOutput).toMatchObject({
      code: ErrorCode.InvalidOptions,
      plugin: 'toy:onnx',
      step: 'fit',
      field: 'pixels',
      file: modelFile,
      path: 'output',
      expected: ['features'],
      found: 'logits',
    });

    const encoder = toy.create({ model: modelFile });
    const state = await encoder.fit([], fitContext);
    // prepare's errors stay as raised (they already name the record) …
    const bad = await rejection(() => encoder.preprocess([1, 2], state, context('short')));
    expect(bad).toMatchObject({ code: ErrorCode.InvalidInput, record: 'short' });
    expect(bad.file).toBeUndefined();
    // … the model's are stamped with the plugin, the step, the record and the model file.
    const stale = await rejection(() =>
      encoder.preprocess(Array(16).fill(0), { ...state, output: 'pooled' }, context('r1')),
    );
    expect(stale).toMatchObject({ plugin: 'toy:onnx', step: 'preprocess', record: 'r1', file: modelFile });
  });

  it('says how to install onnxruntime-node when it is missing, naming the plugin', async () => {
    const actual = await vi.importActual<typeof import('./onnx-runtime.js')>('./onnx-runtime.js');
    loadOnnxRuntime.mockImplementationOnce(() =>
      actual.loadOnnxRuntime({ importModule: () => Promise.reject(notInstalled()) }),
    );
    const error = await rejection(() => toy.create({ model: modelFile }).fit([], fitContext));
    expect(error).toMatchObject({
      code: ErrorCode.BackendUnavailable,
      plugin: 'toy:onnx',
      step: 'fit',
      field: 'pixels',
      file: modelFile,
      details: { package: 'onnxruntime-node', install: 'npm install onnxruntime-node' },
    });
    expect(error.path).toBeUndefined();
    expect(error.message).toContain('npm install onnxruntime-node');
    expect(error.message).toContain('"allowScripts": { "onnxruntime-node": false }');
    // Installing it is enough: the next open tries again.
    await expect(toy.create({ model: modelFile }).fit([], fitContext)).resolves.toMatchObject({
      outputDim: 3,
    });
  });
});
