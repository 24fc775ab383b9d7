import { describeEncoderConformance } from '@omnifuse/core/testing';
import { describeWithData } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BAD_TEXT_INPUTS, expectTrainingLossFalls, SENTENCES } from './test-samples.js';
import { createTextTransformerEncoder, textTransformerEncoderPlugin } from './transformer.js';

describeEncoderConformance('text:transformer (2 blocks, 2 heads)', {
  plugin: textTransformerEncoderPlugin,
  options: { maxLength: 12, dim: 8, heads: 2, ffDim: 16 },
  samples: SENTENCES,
  badInputs: BAD_TEXT_INPUTS,
  invalidOptions: [{ dim: 10, heads: 4 }, { blocks: -1 }, { dropout: 1 }, { unknown: true }],
});

describeEncoderConformance('text:transformer ([CLS] first, no dropout)', {
  plugin: textTransformerEncoderPlugin,
  options: { maxLength: 8, dim: 8, heads: 4, ffDim: 8, blocks: 1, dropout: 0, vocabulary: { cls: true } },
  samples: SENTENCES.slice(0, 3),
  skip: { 'bad-inputs': 'same preprocessing as the first suite', 'invalid-options': 'same schema' },
});

describe('text:transformer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('outputs the token sequence with its padding mask, [CLS] at position 0', async () => {
    const encoder = createTextTransformerEncoder({
      maxLength: 10,
      dim: 8,
      heads: 2,
      vocabulary: { cls: true },
    });
    const context = { field: 'f', readMedia: async () => new Uint8Array() };
    const state = await encoder.fit(SENTENCES, context);
    const feature = encoder.preprocess('A great touch.', state, { ...context, record: 0 });
    const ids = (feature as { data: Int32Array }).data;
    expect(ids[0]).toBe(2);
    const input = tf.input({ shape: [10], dtype: 'int32' });
    const encoded = encoder.build({ tf, input, state, name: 'text', seed: 1 });
    if (encoded.kind !== 'sequence') throw new Error('expected a sequence');
    expect(encoded).toMatchObject({ length: 10, dim: 8 });
    const model = tf.model({ inputs: input, outputs: [encoded.output, encoded.mask!] });
    const [, mask] = model.predict(tf.tensor2d(ids, [1, 10], 'int32')) as tf.Tensor[];
    const real = Array.from(ids, (id) => (id === 0 ? 0 : 1));
    expect(Array.from(await mask!.data())).toEqual(real);
  });
});

describeWithData('sentiment', 'text:transformer trained on Yelp sentences', () => {
  it('lowers the training loss on wasm', { timeout: 60_000 }, async () => {
    await expectTrainingLossFalls('text:transformer', {
      maxLength: 20,
      dim: 32,
      heads: 4,
      ffDim: 64,
      blocks: 1,
      vocabulary: { maxSize: 2000 },
    });
  });
});
