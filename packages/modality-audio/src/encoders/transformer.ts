import { customLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { audioLayers } from './audio-layers.js';
import { audioEncoderOptions, defineAudioEncoder } from './shared.js';

const ID = 'audio:transformer';

export const transformerEncoderOptionsSchema = audioEncoderOptions({
  /** Size every frame is projected to. */
  dim: z.number().int().positive().default(64),
  /** Post-norm encoder blocks (single-head self-attention + feed-forward); 0 outputs the embedded frames. */
  blocks: z.number().int().min(0).max(12).default(2),
  /** Hidden size of each block's feed-forward network. */
  ffDim: z.number().int().positive().default(128),
});

export type TransformerEncoderOptions = z.output<typeof transformerEncoderOptionsSchema>;
export type TransformerEncoderOptionsInput = z.input<typeof transformerEncoderOptionsSchema>;

const transformer = defineAudioEncoder<TransformerEncoderOptions>({
  id: ID,
  version: '1.0.0',
  description:
    'Audio → MFCC/log-mel frames → linear projection + learned position embeddings → self-attention blocks → sequence of frames',
  layout: 'sequence',
  schema: transformerEncoderOptionsSchema,
  build({ tf, input, name, options, frames, seedFor }) {
    const { dim } = options;
    const { PositionEmbedding } = customLayers(tf);
    const { SelfAttention } = audioLayers(tf);
    const apply = (layer: tfjs.layers.Layer, x: tfjs.SymbolicTensor | tfjs.SymbolicTensor[]) =>
      layer.apply(x) as tfjs.SymbolicTensor;
    const dense = (units: number, label: string, activation?: 'relu') =>
      tf.layers.dense({
        units,
        activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(label) }),
        name: `${name}/${label}`,
      });

    let x = apply(dense(dim, 'frame_projection'), input);
    x = apply(
      new PositionEmbedding({ seed: seedFor('position_embedding'), name: `${name}/position_embedding` }),
      x,
    );
    for (let i = 0; i < options.blocks; i++) {
      const at = `block_${i}`;
      const attended = apply(
        new SelfAttention({ seed: seedFor(`${at}/attention`), name: `${name}/${at}/attention` }),
        x,
      );
      x = apply(tf.layers.add({ name: `${name}/${at}/attention_residual` }), [x, attended]);
      x = apply(tf.layers.layerNormalization({ epsilon: 1e-6, name: `${name}/${at}/attention_norm` }), x);
      let ff = apply(dense(options.ffDim, `${at}/ff_in`, 'relu'), x);
      ff = apply(dense(dim, `${at}/ff_out`), ff);
      x = apply(tf.layers.add({ name: `${name}/${at}/ff_residual` }), [x, ff]);
      x = apply(tf.layers.layerNormalization({ epsilon: 1e-6, name: `${name}/${at}/ff_norm` }), x);
    }
    // Every clip is fitted to the same duration, so every frame is real: no mask.
    return { kind: 'sequence', output: x, mask: null, length: frames, dim };
  },
});

/** The `audio:transformer` plugin. */
export const transformerEncoderPlugin = transformer.plugin;
/** Validates options and returns a configured `audio:transformer` encoder. */
export const createTransformerEncoder = transformer.create;
