import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { convBatchNormActivation, seededDropout, staticShape } from '../layers/conv-block.js';
import { defineImageEncoder, imageEncoderOptions } from './shared.js';

const ID = 'vision:resnet';

const stageSchema = z
  .object({
    filters: z.number().int().positive(),
    /** Basic blocks in the stage. */
    blocks: z.number().int().positive().default(2),
    /** Stride of the stage's first block; default 1 for the first stage, 2 after. */
    stride: z.number().int().positive().optional(),
  })
  .strict();

const resnetShape = imageEncoderOptions({
  stem: z
    .object({
      filters: z.number().int().positive().default(16),
      kernel: z.number().int().positive().default(3),
      stride: z.number().int().positive().default(1),
      /** 3×3 max-pool with stride 2 after the stem (ImageNet ResNets); off for small images. */
      pool: z.boolean().default(false),
    })
    .strict()
    .prefault({}),
  /** Stages of basic blocks; the default is a CIFAR-style ResNet-14 (16, 32, 64 channels). */
  stages: z
    .array(stageSchema)
    .min(1)
    .default([
      { filters: 16, blocks: 2, stride: 1 },
      { filters: 32, blocks: 2, stride: 2 },
      { filters: 64, blocks: 2, stride: 2 },
    ]),
  /** Dropout on the pooled vector (training only). */
  dropout: z.number().min(0).max(0.95).default(0),
});

export const resnetEncoderOptionsSchema = resnetShape.transform((options) => ({
  ...options,
  stages: options.stages.map((stage, i) => ({ ...stage, stride: stage.stride ?? (i === 0 ? 1 : 2) })),
}));

export type ResnetEncoderOptions = z.output<typeof resnetEncoderOptionsSchema>;
export type ResnetEncoderOptionsInput = z.input<typeof resnetEncoderOptionsSchema>;

// Symmetric padding 1, as PyTorch pads, so a stride-2 conv centres on the pixels the 1×1 projection samples.
const conv3 = { kernel: 3, padding: 1, bias: false, batchNorm: true } as const;

const resnet = defineImageEncoder<ResnetEncoderOptions>({
  id: ID,
  version: '1.0.0',
  description:
    'Images → small residual network (stem, stages of basic blocks with projection shortcuts) → global average pooling → vector',
  schema: resnetEncoderOptionsSchema,
  build({ tf, input, name, options, seedFor }) {
    const { stem } = options;
    let x = convBatchNormActivation(
      tf,
      input,
      {
        ...conv3,
        filters: stem.filters,
        kernel: stem.kernel,
        padding: Math.floor(stem.kernel / 2),
        stride: stem.stride,
        activation: 'relu',
      },
      { name: `${name}/stem`, seed: seedFor('stem') },
    );
    if (stem.pool) {
      x = tf.layers
        .maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: `${name}/stem/max_pool` })
        .apply(x) as tfjs.SymbolicTensor;
    }
    options.stages.forEach((stage, s) => {
      for (let b = 0; b < stage.blocks; b++) {
        const at = `${name}/stage_${s}/block_${b}`;
        x = basicBlock(tf, x, stage.filters, b === 0 ? stage.stride : 1, at, seedFor);
      }
    });
    x = tf.layers.globalAveragePooling2d({ name: `${name}/average_pool` }).apply(x) as tfjs.SymbolicTensor;
    x = seededDropout(tf, x, options.dropout, { name: `${name}/dropout`, seed: seedFor('dropout') });
    return { kind: 'vector', output: x, dim: staticShape(x)[0]! };
  },
});

/**
 * conv3×3 (stride) → BN → ReLU → conv3×3 → BN, plus the input — through a 1×1 conv + BN when the
 * stride or the channel count changes — then ReLU (He et al. 2016, option B shortcuts).
 */
function basicBlock(
  tf: typeof tfjs,
  x: tfjs.SymbolicTensor,
  filters: number,
  stride: number,
  at: string,
  seedFor: (label: string) => number,
): tfjs.SymbolicTensor {
  const inChannels = staticShape(x)[2]!;
  let y = convBatchNormActivation(
    tf,
    x,
    { ...conv3, filters, stride, activation: 'relu' },
    { name: `${at}/a`, seed: seedFor(`${at}/a`) },
  );
  y = convBatchNormActivation(
    tf,
    y,
    { ...conv3, filters, stride: 1, activation: 'linear' },
    { name: `${at}/b`, seed: seedFor(`${at}/b`) },
  );
  const shortcut =
    stride === 1 && inChannels === filters
      ? x
      : convBatchNormActivation(
          tf,
          x,
          {
            filters,
            kernel: 1,
            stride,
            padding: 'valid',
            bias: false,
            batchNorm: true,
            activation: 'linear',
          },
          { name: `${at}/projection`, seed: seedFor(`${at}/projection`) },
        );
  const sum = tf.layers.add({ name: `${at}/add` }).apply([y, shortcut]) as tfjs.SymbolicTensor;
  return tf.layers.activation({ activation: 'relu', name: `${at}/relu` }).apply(sum) as tfjs.SymbolicTensor;
}

/** The `vision:resnet` plugin. */
export const resnetEncoderPlugin = resnet.plugin;
/** Validates options and returns a configured `vision:resnet` encoder. */
export const createResnetEncoder = resnet.create;
