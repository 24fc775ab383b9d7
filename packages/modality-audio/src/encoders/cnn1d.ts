import { PYTORCH_BATCH_NORM } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { createFeatureExtractor } from '../features/feature-extractor.js';
import { type AudioPreprocessOptions, audioEncoderOptions, defineAudioEncoder } from './shared.js';

const ID = 'audio:cnn1d';

const oddKernel = z
  .number()
  .int()
  .positive()
  .refine((k) => k % 2 === 1, 'kernel must be odd');

const cnn1dShape = audioEncoderOptions({
  /**
   * Filters of the first block; each later block doubles them. A block is conv1d over frames
   * ("same" padding, no bias) → BN → ReLU → max-pool 2, with the feature dims as channels.
   */
  baseFilters: z.number().int().positive().default(32),
  blocks: z.number().int().min(1).max(8).default(3),
  kernel: oddKernel.default(5),
  /** From the frame sequence to a vector. */
  head: z.enum(['globalAverage', 'globalMax']).default('globalAverage'),
});

export const cnn1dEncoderOptionsSchema = cnn1dShape.superRefine((options, ctx) => {
  const frames = framesOf(options.preprocess);
  if (frames !== undefined && Math.floor(frames / 2 ** options.blocks) < 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['blocks'],
      message: `${frames} frames leave none after ${options.blocks} max-pools; use fewer blocks or a longer duration`,
    });
  }
});

export type Cnn1dEncoderOptions = z.output<typeof cnn1dEncoderOptionsSchema>;
export type Cnn1dEncoderOptionsInput = z.input<typeof cnn1dEncoderOptionsSchema>;

function framesOf(preprocess: AudioPreprocessOptions): number | undefined {
  try {
    const extractor = createFeatureExtractor({ ...preprocess.features, sampleRate: preprocess.sampleRate });
    return extractor.frames(Math.round(preprocess.duration * preprocess.sampleRate));
  } catch {
    return undefined; // the preprocessor reports bad feature options itself
  }
}

const cnn1d = defineAudioEncoder<Cnn1dEncoderOptions>({
  id: ID,
  version: '1.1.0',
  description: 'Audio → MFCC/log-mel frames → 1-D conv blocks over time (BN, ReLU, max-pool) → pooled vector',
  layout: 'sequence',
  schema: cnn1dEncoderOptionsSchema,
  build({ tf, input, name, options, seedFor }) {
    let x = input;
    for (let i = 0; i < options.blocks; i++) {
      const at = `${name}/block_${i}`;
      x = apply(
        tf.layers.conv1d({
          filters: options.baseFilters * 2 ** i,
          kernelSize: options.kernel,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed: seedFor(`block_${i}/kernel`) }),
          name: `${at}/conv`,
        }),
        x,
      );
      x = apply(tf.layers.batchNormalization({ ...PYTORCH_BATCH_NORM, axis: -1, name: `${at}/bn` }), x);
      x = apply(tf.layers.activation({ activation: 'relu', name: `${at}/relu` }), x);
      x = apply(
        tf.layers.maxPooling1d({ poolSize: 2, strides: 2, padding: 'valid', name: `${at}/max_pool` }),
        x,
      );
    }
    const pool =
      options.head === 'globalAverage' ? tf.layers.globalAveragePooling1d : tf.layers.globalMaxPooling1d;
    x = apply(pool({ name: `${name}/${options.head}_pool` }), x);
    return { kind: 'vector', output: x, dim: x.shape[x.shape.length - 1] as number };
  },
});

function apply(layer: tfjs.layers.Layer, x: tfjs.SymbolicTensor): tfjs.SymbolicTensor {
  return layer.apply(x) as tfjs.SymbolicTensor;
}

/** The `audio:cnn1d` plugin. */
export const cnn1dEncoderPlugin = cnn1d.plugin;
/** Validates options and returns a configured `audio:cnn1d` encoder. */
export const createCnn1dEncoder = cnn1d.create;
