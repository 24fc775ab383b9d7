import { customLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { defineTextEncoder, textEncoderOptions, tokenEmbeddingOptions } from './shared.js';

const ID = 'text:embedding';

export const textEmbeddingEncoderOptionsSchema = textEncoderOptions({
  ...tokenEmbeddingOptions,
  /** From the token embeddings to a vector, over the real tokens only (padding is masked out). */
  pooling: z.enum(['mean', 'max']).default('mean'),
});

export type TextEmbeddingEncoderOptions = z.output<typeof textEmbeddingEncoderOptionsSchema>;
export type TextEmbeddingEncoderOptionsInput = z.input<typeof textEmbeddingEncoderOptionsSchema>;

const embedding = defineTextEncoder<TextEmbeddingEncoderOptions>({
  id: ID,
  version: '1.0.0',
  description:
    'Text → tokens → vocabulary ids → embeddings (learned or pretrained GloVe/word2vec) → masked mean or max pool → vector',
  schema: textEmbeddingEncoderOptionsSchema,
  build({ tf, name, options, embedTokens, tokenMask }) {
    const { output: embedded, dim } = embedTokens();
    const { MaskedMeanPooling, MaskedMaxPooling } = customLayers(tf);
    const Pooling = options.pooling === 'mean' ? MaskedMeanPooling : MaskedMaxPooling;
    const output = new Pooling({ name: `${name}/${options.pooling}_pool` }).apply([
      embedded,
      tokenMask(),
    ]) as tfjs.SymbolicTensor;
    return { kind: 'vector', output, dim };
  },
});

/** The `text:embedding` plugin. */
export const textEmbeddingEncoderPlugin = embedding.plugin;
/** Validates options and returns a configured `text:embedding` encoder. */
export const createTextEmbeddingEncoder = embedding.create;
