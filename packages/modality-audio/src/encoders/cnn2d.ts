import { customLayers, PYTORCH_BATCH_NORM } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { createFeatureExtractor } from '../features/feature-extractor.js';
import {
  type AudioPreprocessOptions,
  audioEncoderOptions,
  audioPreprocessSchema,
  defineAudioEncoder,
} from './shared.js';

const ID = 'audio:cnn2d';

/**
 * The default spectrogram is the 112×112 LeNet(1, 6, 5) expects: 1.4 s at 8 kHz, 112 log-mel bands
 * every 100 samples (113 frames). Other encoders keep the shared preprocessing defaults.
 */
const LENET_PREPROCESS = { duration: 1.4, features: { nFft: 256, hopLength: 100, nMels: 112 } } as const;

const cnn2dShape = audioEncoderOptions({
  preprocess: audioPreprocessSchema.prefault(LENET_PREPROCESS),
  /**
   * MultiBench's LeNet(inChannels, baseFilters, extraBlocks): conv `firstKernel`² (`baseFilters`,
   * "same" zero padding) then `extraBlocks` conv `kernel`² blocks doubling the channels; every conv
   * has no bias and is followed by BN → ReLU → max-pool 2. AV-MNIST audio is LeNet(1, 6, 5).
   */
  baseFilters: z.number().int().positive().default(6),
  extraBlocks: z.number().int().min(0).max(8).default(5),
  firstKernel: z
    .number()
    .int()
    .positive()
    .refine((k) => k % 2 === 1, 'kernel must be odd')
    .default(5),
  kernel: z
    .number()
    .int()
    .positive()
    .refine((k) => k % 2 === 1, 'kernel must be odd')
    .default(3),
  /** From feature maps to a vector: flatten (LeNet) or global pooling. */
  head: z.enum(['flatten', 'globalAverage', 'globalMax']).default('flatten'),
});

export const cnn2dEncoderOptionsSchema = cnn2dShape.superRefine((options, ctx) => {
  const collapsed = firstCollapsedBlock(options.extraBlocks, options.preprocess);
  if (collapsed !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['extraBlocks'],
      message: `the spectrogram has no bins left after block ${collapsed}; use fewer blocks, a longer duration or more features`,
    });
  }
});

export type Cnn2dEncoderOptions = z.output<typeof cnn2dEncoderOptionsSchema>;
export type Cnn2dEncoderOptionsInput = z.input<typeof cnn2dEncoderOptionsSchema>;

/** Each block halves both axes (floor); the index of the first block that leaves nothing, if any. */
function firstCollapsedBlock(extraBlocks: number, preprocess: AudioPreprocessOptions): number | undefined {
  let extractor: ReturnType<typeof createFeatureExtractor>;
  try {
    extractor = createFeatureExtractor({ ...preprocess.features, sampleRate: preprocess.sampleRate });
  } catch {
    return undefined; // the preprocessor reports bad feature options itself
  }
  let frames = extractor.frames(Math.round(preprocess.duration * preprocess.sampleRate));
  let dims = extractor.dims;
  for (let i = 0; i <= extraBlocks; i++) {
    frames = Math.floor(frames / 2);
    dims = Math.floor(dims / 2);
    if (frames < 1 || dims < 1) return i;
  }
  return undefined;
}

const cnn2d = defineAudioEncoder<Cnn2dEncoderOptions>({
  id: ID,
  version: '1.1.0',
  description: 'Audio → log-mel/MFCC spectrogram → LeNet-style conv stack (BN, ReLU, max-pool) → vector',
  layout: 'image',
  schema: cnn2dEncoderOptionsSchema,
  build({ tf, input, name, options, seedFor }) {
    const { Conv2D } = customLayers(tf);
    let x = input;
    for (let i = 0; i <= options.extraBlocks; i++) {
      const at = `${name}/block_${i}`;
      const kernel = i === 0 ? options.firstKernel : options.kernel;
      const filters = options.baseFilters * 2 ** i;
      const pad = (kernel - 1) / 2;
      // PyTorch's `padding=n`: explicit zeros, then a valid convolution.
      if (pad > 0) x = apply(tf.layers.zeroPadding2d({ padding: pad, name: `${at}/pad` }), x);
      x = apply(
        // core's Conv2D: the first block computes no gradient for the spectrogram, which nothing uses.
        new Conv2D({
          filters,
          kernelSize: kernel,
          padding: 'valid',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed: seedFor(`block_${i}/kernel`) }),
          name: `${at}/conv`,
        }),
        x,
      );
      x = apply(tf.layers.batchNormalization({ ...PYTORCH_BATCH_NORM, axis: -1, name: `${at}/bn` }), x);
      x = apply(tf.layers.activation({ activation: 'relu', name: `${at}/relu` }), x);
      x = apply(
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `${at}/max_pool` }),
        x,
      );
    }
    if (options.head === 'flatten') {
      x = apply(tf.layers.flatten({ name: `${name}/flatten` }), x);
    } else {
      const pool =
        options.head === 'globalAverage' ? tf.layers.globalAveragePooling2d : tf.layers.globalMaxPooling2d;
      x = apply(pool({ name: `${name}/${options.head}_pool` }), x);
    }
    const dim = x.shape[x.shape.length - 1];
    return { kind: 'vector', output: x, dim: dim as number };
  },
});

function apply(layer: tfjs.layers.Layer, x: tfjs.SymbolicTensor): tfjs.SymbolicTensor {
  return layer.apply(x) as tfjs.SymbolicTensor;
}

/** The `audio:cnn2d` plugin. */
export const cnn2dEncoderPlugin = cnn2d.plugin;
/** Validates options and returns a configured `audio:cnn2d` encoder. */
export const createCnn2dEncoder = cnn2d.create;
