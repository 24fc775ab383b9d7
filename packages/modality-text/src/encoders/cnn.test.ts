import { describeEncoderConformance } from '@omnifuse/core/testing';
import { describeWithData } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTextCnnEncoder, textCnnEncoderPlugin } from './cnn.js';
import { BAD_TEXT_INPUTS, expectTrainingLossFalls, SENTENCES } from './test-samples.js';

describeEncoderConformance('text:cnn (kernels 3, 4, 5)', {
  plugin: textCnnEncoderPlugin,
  options: { maxLength: 12, dim: 8, filters: 4 },
  samples: SENTENCES,
  badInputs: BAD_TEXT_INPUTS,
  invalidOptions: [{ kernelSizes: [] }, { kernelSizes: [0] }, { filters: 0 }, { unknown: true }],
});

describe('text:cnn', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives filters × kernel sizes values', async () => {
    const encoder = createTextCnnEncoder({ maxLength: 10, filters: 5, kernelSizes: [2, 3] });
    const state = await encoder.fit(SENTENCES, { field: 'f', readMedia: async () => new Uint8Array() });
    const input = tf.input({ shape: [10], dtype: 'int32' });
    const encoded = encoder.build({ tf, input, state, name: 'text', seed: 1 });
    expect(encoded.kind).toBe('vector');
    expect(encoded.dim).toBe(10);
    expect(encoded.output.shape).toEqual([null, 10]);
  });
});

describeWithData('sentiment', 'text:cnn trained on Yelp sentences', () => {
  it('lowers the training loss on wasm', { timeout: 60_000 }, async () => {
    await expectTrainingLossFalls('text:cnn', {
      maxLength: 24,
      dim: 32,
      filters: 16,
      vocabulary: { maxSize: 2000 },
    });
  });
});
