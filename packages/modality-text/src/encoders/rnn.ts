import { customLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { defineTextEncoder, textEncoderOptions, tokenEmbeddingOptions } from './shared.js';

const ID = 'text:rnn';

export const textRnnEncoderOptionsSchema = textEncoderOptions({
  ...tokenEmbeddingOptions,
  cell: z.enum(['gru', 'lstm']).default('gru'),
  /** Hidden units per direction of each layer. */
  units: z.number().int().positive().default(64),
  /** Stacked recurrent layers. */
  layers: z.number().int().min(1).max(4).default(1),
  /** Also read the text backwards and concatenate both directions (doubles the vector). */
  bidirectional: z.boolean().default(true),
  /**
   * `last`: each direction's state after the last real token; `mean`: the mean of the last layer's
   * states over the real tokens.
   */
  output: z.enum(['last', 'mean']).default('last'),
});

export type TextRnnEncoderOptions = z.output<typeof textRnnEncoderOptionsSchema>;
export type TextRnnEncoderOptionsInput = z.input<typeof textRnnEncoderOptionsSchema>;

const rnn = defineTextEncoder<TextRnnEncoderOptions>({
  id: ID,
  version: '1.0.0',
  description:
    'Text → vocabulary ids → embeddings → stacked (bi)GRU/LSTM skipping padding → last or mean state vector',
  schema: textRnnEncoderOptionsSchema,
  build({ tf, name, options, embedTokens, tokenMask, seedFor }) {
    // The embedding's padding mask makes every recurrent layer skip padded steps (the state is carried
    // through them), in both directions; so "last" is the state after the last real token.
    let x = embedTokens({ maskZero: true }).output;
    for (let i = 0; i < options.layers; i++) {
      const at = `${options.cell}_${i}`;
      const last = i === options.layers - 1;
      const args = {
        units: options.units,
        returnSequences: !last || options.output === 'mean',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(`${at}/kernel`) }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: seedFor(`${at}/recurrent`) }),
        name: `${name}/${at}`,
      };
      const cell = options.cell === 'gru' ? tf.layers.gru(args) : tf.layers.lstm(args);
      const layer = options.bidirectional
        ? tf.layers.bidirectional({
            layer: cell as tfjs.RNN,
            mergeMode: 'concat',
            name: `${name}/${at}/bidirectional`,
          })
        : cell;
      x = layer.apply(x) as tfjs.SymbolicTensor;
    }
    if (options.output === 'mean') {
      const { MaskedMeanPooling } = customLayers(tf);
      x = new MaskedMeanPooling({ name: `${name}/mean_pool` }).apply([x, tokenMask()]) as tfjs.SymbolicTensor;
    }
    return { kind: 'vector', output: x, dim: options.units * (options.bidirectional ? 2 : 1) };
  },
});

/** The `text:rnn` plugin. */
export const textRnnEncoderPlugin = rnn.plugin;
/** Validates options and returns a configured `text:rnn` encoder. */
export const createTextRnnEncoder = rnn.create;
