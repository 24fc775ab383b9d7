import { describeEncoderConformance } from '@omnifuse/core/testing';
import { describeWithData } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { vectorOf, writeVectorsFile } from '../word-vectors/test-vectors.js';
import { createTextEmbeddingEncoder, textEmbeddingEncoderPlugin } from './embedding.js';
import { BAD_TEXT_INPUTS, expectTrainingLossFalls, SENTENCES } from './test-samples.js';

describeEncoderConformance('text:embedding (mean pooling)', {
  plugin: textEmbeddingEncoderPlugin,
  options: { maxLength: 12, dim: 8 },
  samples: SENTENCES,
  badInputs: BAD_TEXT_INPUTS,
  invalidOptions: [
    { maxLength: 0 },
    { pooling: 'sum' },
    { dim: -1 },
    { truncate: 'middle' },
    { unknown: true },
  ],
});

describeEncoderConformance('text:embedding (max pooling, start truncation)', {
  plugin: textEmbeddingEncoderPlugin,
  options: { maxLength: 6, dim: 8, pooling: 'max', truncate: 'start' },
  samples: SENTENCES.slice(0, 3),
  skip: { 'bad-inputs': 'same preprocessing as the mean suite', 'invalid-options': 'same schema' },
});

// Written at collection time: the kit reads the options when it registers its tests.
const VECTOR_WORDS = [
  'loved',
  'place',
  'crust',
  'good',
  'great',
  'menu',
  'prices',
  'tasty',
  'fresh',
  'unrelated',
];
const vectorsFile = writeVectorsFile(VECTOR_WORDS, 6);

describeEncoderConformance('text:embedding (frozen GloVe vectors)', {
  plugin: textEmbeddingEncoderPlugin,
  options: { maxLength: 12, pretrained: { path: vectorsFile } },
  samples: SENTENCES,
  skip: { 'bad-inputs': 'same preprocessing as the mean suite', 'invalid-options': 'same schema' },
});

describeEncoderConformance('text:embedding (fine-tuned word2vec vectors)', {
  plugin: textEmbeddingEncoderPlugin,
  options: {
    maxLength: 12,
    pooling: 'max',
    pretrained: {
      path: writeVectorsFile(VECTOR_WORDS, 6, { header: true }),
      format: 'word2vec-text',
      trainable: true,
    },
  },
  samples: SENTENCES.slice(0, 4),
  skip: { 'bad-inputs': 'same preprocessing as the mean suite', 'invalid-options': 'same schema' },
});

describe('text:embedding', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('names plugin, step, record and field when a training value is no text', async () => {
    const encoder = createTextEmbeddingEncoder();
    await expect(
      encoder.fit(['fine text', 42 as unknown as string], {
        field: 'review',
        readMedia: async () => new Uint8Array(),
      }),
    ).rejects.toMatchObject({
      code: 'E_INPUT',
      plugin: 'text:embedding',
      step: 'fit',
      record: 1,
      field: 'review',
    });
  });

  it('starts from the word vectors, frozen, and records coverage in the state', async () => {
    const encoder = createTextEmbeddingEncoder({ maxLength: 8, pretrained: { path: vectorsFile } });
    const state = await encoder.fit(SENTENCES, { field: 'f', readMedia: async () => new Uint8Array() });
    const words = state.vocabulary.tokens.length - 2;
    expect(state.pretrained).toMatchObject({
      path: vectorsFile,
      dim: 6,
      found: 9,
      words,
      coverage: 9 / words,
    });
    const input = tf.input({ shape: [8], dtype: 'int32' });
    const encoded = encoder.build({ tf, input, state, name: 'text', seed: 1 });
    expect(encoded.dim).toBe(6);
    const model = tf.model({ inputs: input, outputs: encoded.output });
    expect(model.trainableWeights).toHaveLength(0);
    const table = (await model.getLayer('text/embedding').getWeights()[0]!.array()) as number[][];
    const id = state.vocabulary.tokens.indexOf('crust');
    for (const [i, v] of table[id]!.entries()) expect(v).toBeCloseTo(vectorOf('crust', 6)[i]!, 6);
    expect(table[0]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('names plugin, step and option when the vectors file is missing or has another size', async () => {
    const missing = createTextEmbeddingEncoder({ pretrained: { path: `${vectorsFile}.gone` } });
    await expect(
      missing.fit(SENTENCES, { field: 'f', readMedia: async () => new Uint8Array() }),
    ).rejects.toMatchObject({
      code: 'E_INPUT',
      path: 'pretrained',
      file: `${vectorsFile}.gone`,
      plugin: 'text:embedding',
      step: 'fit',
      field: 'f',
    });
    const encoder = createTextEmbeddingEncoder({ dim: 4, pretrained: { path: vectorsFile } });
    await expect(
      encoder.fit(SENTENCES, { field: 'f', readMedia: async () => new Uint8Array() }),
    ).rejects.toMatchObject({
      code: 'E_OPTIONS',
      path: 'dim',
      plugin: 'text:embedding',
      step: 'fit',
    });
  });

  it('fits the vocabulary on the training values and pads ids to maxLength', async () => {
    const encoder = createTextEmbeddingEncoder({ maxLength: 6 });
    const state = await encoder.fit(['good food', 'bad food'], {
      field: 'review',
      readMedia: async () => new Uint8Array(),
    });
    expect(state.vocabulary.tokens.slice(0, 3)).toEqual(['[PAD]', '[UNK]', 'food']);
    const feature = encoder.preprocess('good unseen food', state, {
      record: 0,
      field: 'review',
      readMedia: async () => new Uint8Array(),
    });
    expect(feature).toMatchObject({ dtype: 'int32', shape: [6] });
    const ids = Array.from((feature as { data: Int32Array }).data);
    expect(ids.slice(3)).toEqual([0, 0, 0]);
    expect(ids[1]).toBe(1); // unseen → UNK
  });

  it('pools only real tokens: padding length does not change the vector', async () => {
    const vector = async (maxLength: number) => {
      const encoder = createTextEmbeddingEncoder({ maxLength, dim: 4 });
      const context = { field: 'f', readMedia: async () => new Uint8Array() };
      const state = await encoder.fit(SENTENCES, context);
      const input = tf.input({ shape: [maxLength], dtype: 'int32' });
      const encoded = encoder.build({ tf, input, state, name: 'text', seed: 3 });
      const model = tf.model({ inputs: input, outputs: encoded.output });
      const feature = encoder.preprocess('Crust is not good.', state, { ...context, record: 0 });
      const ids = tf.tensor2d((feature as { data: Int32Array }).data, [1, maxLength], 'int32');
      return Array.from(await (model.predict(ids) as tf.Tensor).data());
    };
    const [short, long] = [await vector(8), await vector(20)];
    for (const [i, v] of short.entries()) expect(v).toBeCloseTo(long[i]!, 6);
  });
});

describeWithData('sentiment', 'text:embedding trained on Yelp sentences', () => {
  it('lowers the training loss', { timeout: 30_000 }, async () => {
    await expectTrainingLossFalls(
      'text:embedding',
      { maxLength: 24, dim: 32, vocabulary: { maxSize: 2000 } },
      8,
    );
  });
});
