import { ErrorCode } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import { describeWithData } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSentimentSentences } from '../tfidf/test-corpus.js';
import { createTfidfEncoder, tfidfEncoderPlugin } from './tfidf.js';

const BAD_TEXT_INPUTS = [
  { value: 42, reason: 'a number' },
  { value: null, reason: 'null' },
  { value: ['a', 'list'], reason: 'an array' },
];
const context = { field: 'review', readMedia: async () => new Uint8Array() };

describeWithData(['sentiment'], 'text:tfidf on the sentiment sentences', () => {
  const samples = readSentimentSentences().filter((_, i) => i % 50 === 0);
  describeEncoderConformance('text:tfidf', {
    plugin: tfidfEncoderPlugin,
    options: { tfidf: { maxFeatures: 300 }, projection: { units: 16 } },
    samples,
    badInputs: BAD_TEXT_INPUTS,
    invalidOptions: [
      { tfidf: { ngramRange: [2, 1] } },
      { tfidf: { norm: 'l3' } },
      { projection: { units: 0 } },
      { projection: { dropout: 1 } },
      { unknown: true },
    ],
  });

  describeEncoderConformance('text:tfidf without projection', {
    plugin: tfidfEncoderPlugin,
    options: { tfidf: { analyzer: 'char_wb', ngramRange: [2, 3], maxFeatures: 200 }, projection: null },
    samples: samples.slice(0, 12),
    badInputs: BAD_TEXT_INPUTS,
  });
});

describe('text:tfidf', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('bounds the vocabulary at 20,000 terms by default and projects to 64 units', async () => {
    const encoder = createTfidfEncoder();
    expect(encoder.options).toMatchObject({
      tfidf: { maxFeatures: 20_000, norm: 'l2', analyzer: 'word' },
      projection: { units: 64, activation: 'relu', dropout: 0.2 },
    });
    const state = await encoder.fit(['good film', 'bad film', 'good food'], context);
    expect(state.terms).toEqual(['bad', 'film', 'food', 'good']);
    expect(encoder.featureSpec(state)).toEqual({ dtype: 'float32', shape: [4] });
    const input = tf.input({ shape: [4] });
    const encoded = encoder.build({ tf, input, state, name: 'review', seed: 3 });
    expect(encoded).toMatchObject({ kind: 'vector', dim: 64 });
  });

  it('preprocesses to the dense sklearn TF-IDF row', async () => {
    const encoder = createTfidfEncoder({ projection: null });
    const state = await encoder.fit(['good film', 'bad film', 'good food'], context);
    const feature = await encoder.preprocess('Good FILM, good!', state, { ...context, record: 7 });
    // sklearn: tf (good 2, film 1) × idf ln(4/3) + 1, L2-normalised.
    const idf = Math.log(4 / 3) + 1;
    const norm = Math.hypot(2 * idf, idf);
    expect(Array.from(feature.data)).toEqual([0, Math.fround(idf / norm), 0, Math.fround((2 * idf) / norm)]);
  });

  it('names plugin, step, record and field when fitting or preprocessing fails', async () => {
    const encoder = createTfidfEncoder({ tfidf: { stopWords: 'english' } });
    await expect(async () => encoder.fit(['the', 'and it'], context)).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      plugin: 'text:tfidf',
      step: 'fit',
      field: 'review',
    });
    await expect(async () => encoder.fit(['fine', 3 as unknown as string], context)).rejects.toMatchObject({
      plugin: 'text:tfidf',
      step: 'fit',
      record: 1,
    });
    const state = await encoder.fit(['good film'], context);
    const corrupt = { ...state, idf: [1] };
    await expect(async () =>
      encoder.preprocess('film', corrupt, { ...context, record: 'r9' }),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      plugin: 'text:tfidf',
      step: 'preprocess',
      record: 'r9',
      field: 'review',
    });
  });
});
