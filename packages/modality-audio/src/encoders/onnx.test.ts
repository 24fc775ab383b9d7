import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, type MediaRef, OmnifuseError } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import { buildOnnxModel } from '@omnifuse/onnx/testing';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { audioOnnxEncoderPlugin, createAudioOnnxEncoder } from './onnx.js';
import { audioPreprocessSchema, createAudioPreprocessor } from './shared.js';
import { BAD_AUDIO_INPUTS, fsddSamples, SMALL_MFCC } from './test-samples.js';

const FRAMES = 63;
const DIMS = 13;
const UNITS = 4;
const weight = Float32Array.from({ length: DIMS * UNITS }, (_, i) => Math.sin(i * 1.7) / 4);

/** MatMul per frame then ReduceMean over frames: a mean-pooled linear embedding, built in code. */
function tinyModel(inputShape: (number | string)[], w = weight): Uint8Array {
  const rank4 = inputShape.length === 4;
  return buildOnnxModel({
    inputs: [{ name: 'mfcc', shape: inputShape }],
    outputs: [{ name: 'embedding', shape: ['batch', UNITS] }],
    initializers: [
      { name: 'proj.weight', dims: [DIMS, UNITS], data: w },
      ...(rank4
        ? [{ name: 'squeeze.shape', dims: [3], data: BigInt64Array.of(-1n, BigInt(FRAMES), BigInt(DIMS)) }]
        : []),
    ],
    nodes: [
      ...(rank4 ? [{ op: 'Reshape', inputs: ['mfcc', 'squeeze.shape'], outputs: ['frames'] }] : []),
      { op: 'MatMul', inputs: [rank4 ? 'frames' : 'mfcc', 'proj.weight'], outputs: ['projected'] },
      {
        op: 'ReduceMean',
        inputs: ['projected'],
        outputs: ['embedding'],
        attributes: { axes: [1], keepdims: 0 },
      },
    ],
  });
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-audio-onnx-'));
const write = (name: string, bytes: Uint8Array) => {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
};
const MODEL = write('tiny.onnx', tinyModel(['batch', FRAMES, DIMS]));
const OPTIONS = { model: MODEL, preprocess: SMALL_MFCC };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWithData(['fsdd', 'recordings'], 'audio:onnx on FSDD clips', () => {
  describeEncoderConformance('audio:onnx (frozen features)', {
    plugin: audioOnnxEncoderPlugin,
    options: OPTIONS,
    samples: fsddSamples(),
    badInputs: BAD_AUDIO_INPUTS,
    invalidOptions: [
      {},
      { model: path.join(dir, 'missing.onnx') },
      { model: dir },
      { ...OPTIONS, projection: 0 },
      { ...OPTIONS, preprocess: { features: { nMfcc: 40, nMels: 20, kind: 'mfcc' } } },
      { ...OPTIONS, unknown: true },
    ],
  });
  describeEncoderConformance('audio:onnx (projection)', {
    plugin: audioOnnxEncoderPlugin,
    options: { ...OPTIONS, projection: 6, activation: 'tanh' },
    samples: fsddSamples().slice(0, 2),
    skip: { 'bad-inputs': 'same preprocessing as the suite above', 'invalid-options': 'same schema' },
  });

  const clip: MediaRef = {
    kind: 'inline',
    bytes: new Uint8Array(readFileSync(sharedDataPath('fsdd', 'recordings', '0_george_0.wav'))),
  };
  const context = {
    record: 0,
    field: 'audio',
    readMedia: async (ref: MediaRef) => (ref.kind === 'inline' ? ref.bytes : readFileSync(ref.path)),
  };

  it.each([
    ['[batch, frames, dims]', MODEL],
    ['[batch, 1, frames, dims]', write('rank4.onnx', tinyModel(['batch', 1, FRAMES, DIMS]))],
  ])('embeds a clip like a JS reference, input %s', async (_, model) => {
    const encoder = createAudioOnnxEncoder({ ...OPTIONS, model });
    const state = await encoder.fit([], context);
    expect(state).toMatchObject({ input: 'mfcc', output: 'embedding', outputDim: UNITS });
    expect(state.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const feature = await encoder.preprocess(clip, state, context);
    const mfcc = (
      await createAudioPreprocessor(audioPreprocessSchema.parse(SMALL_MFCC), 'sequence').preprocess(
        clip,
        context,
      )
    ).data;
    const expected = Array.from({ length: UNITS }, (_, u) => {
      let sum = 0;
      for (let f = 0; f < FRAMES; f++)
        for (let d = 0; d < DIMS; d++) sum += mfcc[f * DIMS + d]! * weight[d * UNITS + u]!;
      return sum / FRAMES;
    });
    expect(feature.shape).toEqual([UNITS]);
    for (const [i, v] of Array.from(feature.data as Float32Array).entries())
      expect(v).toBeCloseTo(expected[i]!, 3);
  });

  it('rejects at fit a model whose input does not take the features', async () => {
    const model = write('wide.onnx', tinyModel(['batch', 99, DIMS]));
    const encoder = createAudioOnnxEncoder({ ...OPTIONS, model });
    const error = await Promise.resolve(encoder.fit([], context)).catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.InvalidOptions, plugin: 'audio:onnx', path: 'preprocess' });
    const named = createAudioOnnxEncoder({ ...OPTIONS, output: 'logits' });
    await expect(named.fit([], context)).rejects.toMatchObject({
      code: ErrorCode.InvalidOptions,
      path: 'output',
    });
  });

  it('pins the weights: another file is another state, and stale weights are refused', async () => {
    const file = write('changing.onnx', tinyModel(['batch', FRAMES, DIMS]));
    const encoder = createAudioOnnxEncoder({ ...OPTIONS, model: file });
    const before = await encoder.fit([], context);
    writeFileSync(
      file,
      tinyModel(
        ['batch', FRAMES, DIMS],
        weight.map((v) => v * 2),
      ),
    );
    const after = await createAudioOnnxEncoder({ ...OPTIONS, model: file }).fit([], context);
    expect(after.model.sha256).not.toBe(before.model.sha256);
    // A fresh encoder (say, in a later run) opens the changed file: its features would be cached
    // under the old key, so it refuses.
    const fresh = createAudioOnnxEncoder({ ...OPTIONS, model: file });
    await expect(fresh.preprocess(clip, before, context)).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      plugin: 'audio:onnx',
    });
  });
});

describe('audio:onnx with standardize: global', () => {
  const clips = [440, 880].map((hz) => ({
    sampleRate: 8000,
    samples: Float32Array.from({ length: 4000 }, (_, t) => 0.5 * Math.sin((2 * Math.PI * hz * t) / 8000)),
  }));
  const context = { record: 0, field: 'audio', readMedia: async () => new Uint8Array() };

  it('fits the statistics and feeds the model (x − mean) / std', async () => {
    const preprocess = { ...SMALL_MFCC, standardize: 'global' } as const;
    const encoder = createAudioOnnxEncoder({ ...OPTIONS, preprocess });
    const state = await encoder.fit(clips, context);
    expect(state.standardize).toMatchObject({ clips: 2, skipped: 0 });
    expect(state.standardize!.std).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const mfcc = (
      await createAudioPreprocessor(audioPreprocessSchema.parse(preprocess), 'sequence').preprocess(
        clips[0]!,
        context,
        state.standardize,
      )
    ).data;
    const feature = await encoder.preprocess(clips[0]!, state, context);
    for (let u = 0; u < UNITS; u++) {
      let sum = 0;
      for (let f = 0; f < FRAMES; f++)
        for (let d = 0; d < DIMS; d++) sum += mfcc[f * DIMS + d]! * weight[d * UNITS + u]!;
      expect((feature.data as Float32Array)[u]).toBeCloseTo(sum / FRAMES, 4);
    }
    // A state fitted without the statistics is refused rather than fed unstandardised features.
    const { standardize: _, ...plain } = state;
    await expect(encoder.preprocess(clips[0]!, plain, context)).rejects.toMatchObject({
      code: ErrorCode.Bundle,
      path: 'preprocess.standardize',
    });
  });
});

describe('audio:onnx options', () => {
  it('names the model option when the file is missing', () => {
    expect(() => createAudioOnnxEncoder({ model: path.join(dir, 'nope.onnx') })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, plugin: 'audio:onnx', path: 'model' }),
    );
  });
});
