import { customLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { defineTextEncoder, textEncoderOptions, tokenEmbeddingOptions } from './shared.js';

const ID = 'text:cnn';

export const textCnnEncoderOptionsSchema = textEncoderOptions({
  ...tokenEmbeddingOptions,
  /** One convolution per width (in tokens), run side by side over the embeddings. */
  kernelSizes: z.array(z.number().int().positive().max(16)).min(1).max(8).default([3, 4, 5]),
  /** Filters of each convolution; the vector has `filters × kernelSizes.length` values. */
  filters: z.number().int().positive().default(64),
});

export type TextCnnEncoderOptions = z.output<typeof textCnnEncoderOptionsSchema>;
export type TextCnnEncoderOptionsInput = z.input<typeof textCnnEncoderOptionsSchema>;

const cnn = defineTextEncoder<TextCnnEncoderOptions>({
  id: ID,
  version: '1.0.0',
  description:
    'Text → vocabulary ids → embeddings → parallel 1-D convolutions (ReLU) max-pooled over the real tokens → concatenated vector (Kim 2014)',
  schema: textCnnEncoderOptionsSchema,
  build({ tf, name, options, embedTokens, tokenMask, seedFor }) {
    const { output: embedded } = embedTokens();
    const mask = tokenMask();
    const { MaskedMaxPooling } = customLayers(tf);
    // "same" padding keeps one output per token, so the token mask also masks the convolutions'
    // outputs; a text shorter than a kernel still gets a (padded) window.
    const pooled = options.kernelSizes.map((kernelSize, i) => {
      const at = `conv_${i}_k${kernelSize}`;
      const conv = tf.layers
        .conv1d({
          filters: options.filters,
          kernelSize,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.heUniform({ seed: seedFor(`${at}/kernel`) }),
          name: `${name}/${at}`,
        })
        .apply(embedded) as tfjs.SymbolicTensor;
      return new MaskedMaxPooling({ name: `${name}/${at}/max_pool` }).apply([
        conv,
        mask,
      ]) as tfjs.SymbolicTensor;
    });
    const output =
      pooled.length === 1
        ? pooled[0]!
        : (tf.layers.concatenate({ name: `${name}/concat` }).apply(pooled) as tfjs.SymbolicTensor);
    return { kind: 'vector', output, dim: options.filters * pooled.length };
  },
});

/** The `text:cnn` plugin. */
export const textCnnEncoderPlugin = cnn.plugin;
/** Validates options and returns a configured `text:cnn` encoder. */
export const createTextCnnEncoder = cnn.create;
