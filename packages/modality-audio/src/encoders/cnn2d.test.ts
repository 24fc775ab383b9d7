import { readFileSync } from 'node:fs';
import { createRng, ErrorCode, type MediaRef, OmnifuseError } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTestWav } from '../decode/test-wav.js';
import { cnn2dEncoderPlugin, createCnn2dEncoder } from './cnn2d.js';

/** A small spectrogram so the suite is quick: 0.5 s at 8 kHz → 63 frames × 32 mels. */
const SMALL = {
  preprocess: {
    sampleRate: 8000,
    duration: 0.5,
    features: { kind: 'logmel', nFft: 256, hopLength: 64, nMels: 32 },
  },
  baseFilters: 4,
  extraBlocks: 2,
  head: 'globalAverage',
} as const;

const CLIPS = ['0_george_0.wav', '3_jackson_1.wav', '7_theo_2.wav'];
const emptyWav = encodeTestWav({
  sampleRate: 8000,
  channels: [new Float32Array(0)],
  encoding: 'pcm',
  bitsPerSample: 16,
});
const randomBytes = Uint8Array.from({ length: 256 }, (_, i) => (i * 7919 + 13) % 251);

describeWithData(['fsdd', 'recordings'], 'audio:cnn2d on FSDD clips', () => {
  const inline = (name: string): MediaRef => ({
    kind: 'inline',
    bytes: new Uint8Array(readFileSync(sharedDataPath('fsdd', 'recordings', name))),
  });
  const samples = [
    ...CLIPS.map(inline),
    // Already decoded, at another rate: resampled to 8 kHz.
    { sampleRate: 16000, samples: Float32Array.from({ length: 6000 }, (_, i) => Math.sin(i / 5) * 0.5) },
  ];
  describeEncoderConformance('audio:cnn2d', {
    plugin: cnn2dEncoderPlugin,
    options: SMALL,
    samples,
    badInputs: [
      { value: { kind: 'inline', bytes: randomBytes }, reason: 'bytes that are no WAV' },
      { value: { kind: 'inline', bytes: emptyWav }, reason: 'a WAV with no samples' },
    ],
    invalidOptions: [
      { extraBlocks: 9 },
      { ...SMALL, extraBlocks: 6 },
      { preprocess: { crop: 'random' } },
      { preprocess: { features: { sampleRate: 16000 } } },
      { head: 'attention' },
      { unknown: true },
    ],
  });
});

describe('audio:cnn2d', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives 192-d for LeNet(1, 6, 5) on a 112×112 spectrogram', () => {
    const encoder = createCnn2dEncoder({
      preprocess: { duration: 1.4, features: { nFft: 256, hopLength: 100, nMels: 112 } },
      baseFilters: 6,
      extraBlocks: 5,
    });
    const input = tf.input({ shape: [112, 112, 1] });
    const encoded = encoder.build({
      tf,
      input,
      state: { featureSpec: { dtype: 'float32', shape: [112, 112, 1] } },
      name: 'audio',
      seed: 1,
    });
    // 112 → 56 → 28 → 14 → 7 → 3 → 1 after six max-pools: 6 · 2⁵ = 192 channels × 1 × 1.
    expect(encoded.kind).toBe('vector');
    expect(encoded.dim).toBe(192);
    const model = tf.model({ inputs: input, outputs: encoded.output });
    const kernels = model.trainableWeights
      .filter((w) => w.originalName.endsWith('/kernel'))
      .map((w) => w.shape);
    expect(kernels).toEqual([
      [5, 5, 1, 6],
      [3, 3, 6, 12],
      [3, 3, 12, 24],
      [3, 3, 24, 48],
      [3, 3, 48, 96],
      [3, 3, 96, 192],
    ]);
    expect(model.trainableWeights.some((w) => w.originalName.endsWith('/bias'))).toBe(false);
    expect(model.trainableWeights.every((w) => w.originalName.startsWith('audio/'))).toBe(true);
    model.dispose();
  });

  it('augments the [frames, dims, 1] spectrogram when asked', async () => {
    const encoder = createCnn2dEncoder({ ...SMALL, augment: { timeMasks: { count: 1, maxWidth: 10 } } });
    const state = await encoder.fit([], { field: 'audio', readMedia: async () => new Uint8Array() });
    const data = Float32Array.from({ length: 63 * 32 }, (_, i) => Math.sin(i));
    const feature = { dtype: 'float32', shape: [63, 32, 1], data } as const;
    const context = { record: 0, field: 'audio', epoch: 0 };
    const a = encoder.augment!(feature, state, { ...context, rng: createRng(5) });
    const b = encoder.augment!(feature, state, { ...context, rng: createRng(5) });
    expect(a.shape).toEqual([63, 32, 1]);
    expect(a.data).toEqual(b.data);
  });

  it('names record, field and plugin option paths in errors', async () => {
    const encoder = createCnn2dEncoder(SMALL);
    const state = await encoder.fit([], { field: 'audio', readMedia: async () => new Uint8Array() });
    expect(state.featureSpec).toEqual({ dtype: 'float32', shape: [63, 32, 1] });
    const ref: MediaRef = { kind: 'file', path: '/data/a.wav', relativePath: 'a.wav' };
    const error = await Promise.resolve(
      encoder.preprocess(ref, state, { record: 4, field: 'audio', readMedia: async () => randomBytes }),
    ).catch((e: unknown) => e as OmnifuseError);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.InvalidInput, record: 4, field: 'audio', file: 'a.wav' });

    let options: unknown;
    try {
      createCnn2dEncoder({ ...SMALL, extraBlocks: 6 });
    } catch (e) {
      options = e;
    }
    expect(options).toMatchObject({
      code: ErrorCode.InvalidOptions,
      plugin: 'audio:cnn2d',
      path: 'extraBlocks',
    });
  });
});
