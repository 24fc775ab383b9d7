import { customLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { seededDropout } from '../layers/conv-block.js';
import { defineImageEncoder, featureImageSize, imageEncoderOptions } from './shared.js';

const ID = 'vision:patch';

export const patchEncoderOptionsSchema = imageEncoderOptions({
  /** Side of the square patches; must divide the preprocessed image's width and height. */
  patchSize: z.number().int().positive().default(16),
  /** Embedding size of each patch. */
  dim: z.number().int().positive().default(64),
  /** Layer normalisation of each patch embedding (after the position embeddings). */
  layerNorm: z.boolean().default(true),
  /** Dropout on the embeddings (training only). */
  dropout: z.number().min(0).max(0.95).default(0),
}).superRefine((options, ctx) => {
  const { width, height } = featureImageSize(options.preprocess);
  if (width % options.patchSize !== 0 || height % options.patchSize !== 0) {
    ctx.addIssue({
      code: 'custom',
      message: `patchSize ${options.patchSize} does not divide the ${width}×${height} image; choose a divisor or another preprocess.size/crop`,
      path: ['patchSize'],
    });
  }
});

export type PatchEncoderOptions = z.output<typeof patchEncoderOptionsSchema>;
export type PatchEncoderOptionsInput = z.input<typeof patchEncoderOptionsSchema>;

const patch = defineImageEncoder<PatchEncoderOptions>({
  id: ID,
  version: '1.0.0',
  description:
    'Images → ViT patch embedding (conv with kernel = stride = patch size) + learned position embeddings → sequence of patches',
  schema: patchEncoderOptionsSchema,
  build({ tf, input, name, options, imageShape, seedFor }) {
    const { patchSize, dim } = options;
    const [height, width] = imageShape;
    const length = (height / patchSize) * (width / patchSize);
    // A conv whose kernel and stride are the patch size is one linear map per non-overlapping patch.
    // core's Conv2D: no gradient for the image, which nothing uses.
    const { Conv2D } = customLayers(tf);
    let x = new Conv2D({
      filters: dim,
      kernelSize: patchSize,
      strides: patchSize,
      padding: 'valid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor('patch_embedding') }),
      name: `${name}/patch_embedding`,
    }).apply(input) as tfjs.SymbolicTensor;
    x = tf.layers
      .reshape({ targetShape: [length, dim], name: `${name}/patches` })
      .apply(x) as tfjs.SymbolicTensor;
    const { PositionEmbedding } = customLayers(tf);
    x = new PositionEmbedding({
      seed: seedFor('position_embedding'),
      name: `${name}/position_embedding`,
    }).apply(x) as tfjs.SymbolicTensor;
    x = seededDropout(tf, x, options.dropout, { name: `${name}/dropout`, seed: seedFor('dropout') });
    if (options.layerNorm) {
      x = tf.layers
        .layerNormalization({ epsilon: 1e-6, name: `${name}/layer_norm` })
        .apply(x) as tfjs.SymbolicTensor;
    }
    return { kind: 'sequence', output: x, mask: null, length, dim };
  },
});

/** The `vision:patch` plugin. */
export const patchEncoderPlugin = patch.plugin;
/** Validates options and returns a configured `vision:patch` encoder. */
export const createPatchEncoder = patch.create;
