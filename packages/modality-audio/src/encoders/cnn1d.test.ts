import { ErrorCode } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import { describeWithData } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cnn1dEncoderPlugin, createCnn1dEncoder } from './cnn1d.js';
import { BAD_AUDIO_INPUTS, fsddSamples, SMALL_MFCC } from './test-samples.js';

const SMALL = { preprocess: SMALL_MFCC, baseFilters: 8, blocks: 2, kernel: 3 } as const;
/** SpecAugment-style masks and a time shift: valid on MFCCs (noise is not). */
const AUGMENT = {
  timeShift: { maxFrames: 4 },
  timeMasks: { count: 2, maxWidth: 6 },
  frequencyMasks: { count: 1, maxWidth: 3 },
} as const;

describeWithData(['fsdd', 'recordings'], 'audio:cnn1d on FSDD clips', () => {
  describeEncoderConformance('audio:cnn1d', {
    plugin: cnn1dEncoderPlugin,
    options: { ...SMALL, augment: AUGMENT },
    samples: fsddSamples(),
    badInputs: BAD_AUDIO_INPUTS,
    invalidOptions: [
      { ...SMALL, blocks: 7 },
      { kernel: 4 },
      { head: 'flatten' },
      { preprocess: { crop: 'random' } },
      { ...SMALL, augment: { noise: { snrDb: [10, 20] } } },
      { augment: { timeMasks: { count: -1, maxWidth: 2 } } },
      { unknown: true },
    ],
  });
});

describe('audio:cnn1d', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('convolves over frames with the MFCCs as channels', async () => {
    const encoder = createCnn1dEncoder({ ...SMALL, head: 'globalMax' });
    const state = await encoder.fit([], { field: 'audio', readMedia: async () => new Uint8Array() });
    expect(state.featureSpec).toEqual({ dtype: 'float32', shape: [63, 13] });
    const input = tf.input({ shape: [63, 13] });
    const encoded = encoder.build({ tf, input, state, name: 'audio', seed: 1 });
    expect(encoded).toMatchObject({ kind: 'vector', dim: 16 });
    const model = tf.model({ inputs: input, outputs: encoded.output });
    const kernels = model.trainableWeights
      .filter((w) => w.originalName.endsWith('/kernel'))
      .map((w) => w.shape);
    expect(kernels).toEqual([
      [3, 13, 8],
      [3, 8, 16],
    ]);
    model.dispose();
  });

  it('augments only when asked, and checks augment options against the features', async () => {
    expect(createCnn1dEncoder(SMALL).augment).toBeUndefined();
    expect(
      createCnn1dEncoder({ ...SMALL, augment: { timeMasks: { count: 0, maxWidth: 5 } } }).augment,
    ).toBeUndefined();
    expect(() => createCnn1dEncoder({ ...SMALL, augment: { noise: { snrDb: [10, 20] } } })).toThrow(
      expect.objectContaining({
        code: ErrorCode.InvalidOptions,
        plugin: 'audio:cnn1d',
        path: 'augment.noise',
      }),
    );
    // Noise is fine on log-mels.
    const logmel = createCnn1dEncoder({
      ...SMALL,
      preprocess: { ...SMALL_MFCC, features: { ...SMALL_MFCC.features, kind: 'logmel' } },
      augment: { noise: { snrDb: [10, 20] } },
    });
    expect(logmel.augment).toBeTypeOf('function');
  });

  it('names the option that pools the frames away', () => {
    expect(() => createCnn1dEncoder({ ...SMALL, blocks: 6 })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, plugin: 'audio:cnn1d', path: 'blocks' }),
    );
  });
});
