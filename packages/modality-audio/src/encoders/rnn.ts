import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { audioEncoderOptions, defineAudioEncoder } from './shared.js';

const ID = 'audio:rnn';

export const rnnEncoderOptionsSchema = audioEncoderOptions({
  cell: z.enum(['gru', 'lstm']).default('gru'),
  /** Hidden units per direction of each layer. */
  units: z.number().int().positive().default(64),
  /** Stacked recurrent layers. */
  layers: z.number().int().min(1).max(6).default(1),
  /** Also read the frames backwards and concatenate both directions (doubles the output size). */
  bidirectional: z.boolean().default(false),
  /** The vector: the last layer's final state, or the mean of its states over all frames. */
  output: z.enum(['last', 'mean']).default('last'),
});

export type RnnEncoderOptions = z.output<typeof rnnEncoderOptionsSchema>;
export type RnnEncoderOptionsInput = z.input<typeof rnnEncoderOptionsSchema>;

const rnn = defineAudioEncoder<RnnEncoderOptions>({
  id: ID,
  version: '1.0.0',
  description: 'Audio → MFCC/log-mel frames → stacked (bi)GRU/LSTM → last or mean-pooled state vector',
  layout: 'sequence',
  schema: rnnEncoderOptionsSchema,
  build({ tf, input, name, options, seedFor }) {
    let x = input;
    for (let i = 0; i < options.layers; i++) {
      const at = `${name}/${options.cell}_${i}`;
      const last = i === options.layers - 1;
      const args = {
        units: options.units,
        // Inner layers feed the next one a sequence; so does the last when the output is a mean.
        returnSequences: !last || options.output === 'mean',
        // Seeded, so the same build seed gives the same weights.
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(`${options.cell}_${i}/kernel`) }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: seedFor(`${options.cell}_${i}/recurrent`) }),
        name: at,
      };
      const cell = options.cell === 'gru' ? tf.layers.gru(args) : tf.layers.lstm(args);
      const layer = options.bidirectional
        ? tf.layers.bidirectional({
            layer: cell as tfjs.RNN,
            mergeMode: 'concat',
            name: `${at}/bidirectional`,
          })
        : cell;
      x = layer.apply(x) as tfjs.SymbolicTensor;
    }
    if (options.output === 'mean') {
      x = tf.layers.globalAveragePooling1d({ name: `${name}/mean_pool` }).apply(x) as tfjs.SymbolicTensor;
    }
    return { kind: 'vector', output: x, dim: x.shape[x.shape.length - 1] as number };
  },
});

/** The `audio:rnn` plugin. */
export const rnnEncoderPlugin = rnn.plugin;
/** Validates options and returns a configured `audio:rnn` encoder. */
export const createRnnEncoder = rnn.create;
