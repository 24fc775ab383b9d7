import { describeEncoderConformance } from '@omnifuse/core/testing';
import { describeWithData } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTextRnnEncoder, textRnnEncoderPlugin } from './rnn.js';
import { BAD_TEXT_INPUTS, expectTrainingLossFalls, SENTENCES } from './test-samples.js';

describeEncoderConformance('text:rnn (bidirectional GRU, last state)', {
  plugin: textRnnEncoderPlugin,
  options: { maxLength: 10, dim: 8, units: 6 },
  samples: SENTENCES,
  badInputs: BAD_TEXT_INPUTS,
  invalidOptions: [{ cell: 'rnn' }, { units: 0 }, { layers: 0 }, { output: 'max' }, { unknown: true }],
});

describeEncoderConformance('text:rnn (two LSTM layers, masked mean)', {
  plugin: textRnnEncoderPlugin,
  options: { maxLength: 8, dim: 8, units: 4, cell: 'lstm', layers: 2, bidirectional: false, output: 'mean' },
  samples: SENTENCES.slice(0, 3),
  skip: { 'bad-inputs': 'same preprocessing as the GRU suite', 'invalid-options': 'same schema' },
});

describe('text:rnn', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    [{ cell: 'gru', units: 5 }, 10],
    [{ cell: 'lstm', units: 5, bidirectional: false }, 5],
    [{ cell: 'gru', units: 3, output: 'mean' }, 6],
  ] as const)('skips padding in both directions (%o)', async (options, dim) => {
    const vector = async (maxLength: number) => {
      const encoder = createTextRnnEncoder({ maxLength, dim: 4, ...options });
      const context = { field: 'f', readMedia: async () => new Uint8Array() };
      const state = await encoder.fit(SENTENCES, context);
      const input = tf.input({ shape: [maxLength], dtype: 'int32' });
      const encoded = encoder.build({ tf, input, state, name: 'text', seed: 3 });
      expect(encoded.dim).toBe(dim);
      const model = tf.model({ inputs: input, outputs: encoded.output });
      const feature = encoder.preprocess('The potatoes were like rubber.', state, { ...context, record: 0 });
      const ids = tf.tensor2d((feature as { data: Int32Array }).data, [1, maxLength], 'int32');
      return Array.from(await (model.predict(ids) as tf.Tensor).data());
    };
    const [short, long] = [await vector(6), await vector(16)];
    expect(short).toHaveLength(dim);
    for (const [i, v] of short.entries()) expect(v).toBeCloseTo(long[i]!, 5);
  });
});

describeWithData('sentiment', 'text:rnn trained on Yelp sentences', () => {
  it('lowers the training loss on wasm', { timeout: 60_000 }, async () => {
    await expectTrainingLossFalls('text:rnn', {
      maxLength: 20,
      dim: 16,
      units: 16,
      vocabulary: { maxSize: 2000 },
    });
  });
});
