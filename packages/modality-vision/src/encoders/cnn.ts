import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import type { ImagePreprocessOptions } from '../image-options.js';
import {
  convBatchNormActivation,
  denseStack,
  pool2d,
  seededDropout,
  staticShape,
} from '../layers/conv-block.js';
import { activationSchema, defineImageEncoder, featureImageSize, imageEncoderOptions } from './shared.js';

const ID = 'vision:cnn';

export const cnnBlockSchema = z
  .object({
    filters: z.number().int().positive(),
    kernel: z.number().int().positive().default(3),
    stride: z.number().int().positive().default(1),
    /** `same`, `valid`, or zero padding on every side (PyTorch's `padding=n`). */
    padding: z.union([z.enum(['same', 'valid']), z.number().int().min(0)]).default('same'),
    batchNorm: z.boolean().default(true),
    /** Conv bias; by default only without batch norm (the norm's beta makes it redundant). */
    bias: z.boolean().optional(),
    activation: activationSchema.default('relu'),
    /** Pooling after the activation, window = stride = `poolSize`, no padding. */
    pool: z.enum(['max', 'avg']).nullable().default(null),
    poolSize: z.number().int().positive().default(2),
    /** Dropout rate at the end of the block (training only). */
    dropout: z.number().min(0).max(0.95).default(0),
  })
  .strict()
  .transform((block) => ({ ...block, bias: block.bias ?? !block.batchNorm }));

export type CnnBlock = z.output<typeof cnnBlockSchema>;
export type CnnBlockInput = z.input<typeof cnnBlockSchema>;

const cnnShape = imageEncoderOptions({
  /**
   * `lenet`: MultiBench's AV-MNIST LeNet — conv 5×5 (`baseFilters`, padding 2) then `extraBlocks`
   * conv 3×3 blocks doubling the channels, each conv without bias → BN → ReLU → max-pool 2.
   * `vgg`: `1 + extraBlocks` stages of two conv 3×3 → BN → ReLU, then max-pool 2, doubling the
   * channels each stage. Default: `lenet` unless `blocks` is given.
   */
  preset: z.enum(['lenet', 'vgg']).optional(),
  /** Input channels, as in `LeNet(inChannels, …)`; only checked against `preprocess.channels`. */
  inChannels: z.number().int().positive().optional(),
  /** Channels of the first block (lenet 6, vgg 32). */
  baseFilters: z.number().int().positive().optional(),
  /** Blocks (lenet, default 3) or stages (vgg, default 2) after the first. */
  extraBlocks: z.number().int().min(0).max(8).optional(),
  /** A custom conv stack instead of a preset. */
  blocks: z.array(cnnBlockSchema).min(1).optional(),
  /** From feature maps to a vector: flatten (lenet, custom) or global pooling (vgg). */
  head: z.enum(['flatten', 'globalAverage', 'globalMax']).optional(),
  /** Units of dense layers after the head. */
  dense: z.array(z.number().int().positive()).default([]),
  denseActivation: activationSchema.default('relu'),
  /** Dropout after each dense layer (training only). */
  dropout: z.number().min(0).max(0.95).default(0),
});

type ParsedCnnOptions = z.output<typeof cnnShape>;

export const cnnEncoderOptionsSchema = cnnShape
  .superRefine((options, ctx) => {
    for (const issue of cnnOptionIssues(options)) ctx.addIssue({ code: 'custom', ...issue });
  })
  .transform(resolveCnnOptions);

export type CnnEncoderOptions = z.output<typeof cnnEncoderOptionsSchema>;
export type CnnEncoderOptionsInput = z.input<typeof cnnEncoderOptionsSchema>;

const PRESET_DEFAULTS = {
  lenet: { baseFilters: 6, extraBlocks: 3, head: 'flatten' },
  vgg: { baseFilters: 32, extraBlocks: 2, head: 'globalAverage' },
} as const;

/** Fills in the preset and the preset-dependent defaults; parsing the result again gives it back. */
function resolveCnnOptions(options: ParsedCnnOptions) {
  if (options.blocks) return { ...options, head: options.head ?? 'flatten' };
  const preset = options.preset ?? 'lenet';
  const defaults = PRESET_DEFAULTS[preset];
  return {
    ...options,
    preset,
    baseFilters: options.baseFilters ?? defaults.baseFilters,
    extraBlocks: options.extraBlocks ?? defaults.extraBlocks,
    head: options.head ?? defaults.head,
  };
}

/**
 * The conv blocks an options object describes: its `blocks`, or its preset expanded. LeNet(1, 6, 3)
 * is conv5×5/6 → conv3×3/12 → conv3×3/24 → conv3×3/48, each without bias, BN, ReLU, max-pool 2.
 */
export function cnnBlocks(
  options: Pick<CnnEncoderOptions, 'preset' | 'baseFilters' | 'extraBlocks' | 'blocks'>,
): CnnBlock[] {
  if (options.blocks) return options.blocks;
  const preset = options.preset ?? 'lenet';
  const base = options.baseFilters ?? PRESET_DEFAULTS[preset].baseFilters;
  const extra = options.extraBlocks ?? PRESET_DEFAULTS[preset].extraBlocks;
  const conv = (filters: number, kernel: number, pool: 'max' | null): CnnBlock => ({
    filters,
    kernel,
    stride: 1,
    padding: (kernel - 1) / 2,
    batchNorm: true,
    bias: false,
    activation: 'relu',
    pool,
    poolSize: 2,
    dropout: 0,
  });
  if (preset === 'lenet') {
    return [
      conv(base, 5, 'max'),
      ...Array.from({ length: extra }, (_, i) => conv(base * 2 ** (i + 1), 3, 'max')),
    ];
  }
  return Array.from({ length: extra + 1 }, (_, stage) => [
    conv(base * 2 ** stage, 3, null),
    conv(base * 2 ** stage, 3, 'max'),
  ]).flat();
}

function cnnOptionIssues(options: ParsedCnnOptions): { message: string; path: (string | number)[] }[] {
  const issues: { message: string; path: (string | number)[] }[] = [];
  if (options.blocks) {
    for (const key of ['preset', 'inChannels', 'baseFilters', 'extraBlocks'] as const) {
      if (options[key] !== undefined) {
        issues.push({ message: `"${key}" belongs to a preset; give either a preset or blocks`, path: [key] });
      }
    }
    if (issues.length > 0) return issues;
  }
  if (options.inChannels !== undefined && options.inChannels !== options.preprocess.channels) {
    issues.push({
      message: `inChannels ${options.inChannels} differs from preprocess.channels ${options.preprocess.channels}; set preprocess.channels to ${options.inChannels}`,
      path: ['inChannels'],
    });
  }
  const blocks = cnnBlocks(options);
  const shrunk = firstCollapsedBlock(blocks, options.preprocess);
  if (shrunk) {
    issues.push({
      message: `the ${shrunk.size} image has no pixels left after block ${shrunk.index}; use fewer blocks or pools, or a larger preprocess.size`,
      path: options.blocks ? ['blocks', shrunk.index] : ['extraBlocks'],
    });
  }
  return issues;
}

/** The first block after which the feature map would be empty, if any. */
function firstCollapsedBlock(
  blocks: readonly CnnBlock[],
  preprocess: ImagePreprocessOptions,
): { index: number; size: string } | undefined {
  const { width, height } = featureImageSize(preprocess);
  let h = height;
  let w = width;
  for (const [index, block] of blocks.entries()) {
    h = convOutput(h, block);
    w = convOutput(w, block);
    if (block.pool) {
      h = Math.floor(h / block.poolSize);
      w = Math.floor(w / block.poolSize);
    }
    if (h < 1 || w < 1) return { index, size: `${width}×${height}` };
  }
  return undefined;
}

function convOutput(n: number, block: CnnBlock): number {
  if (block.padding === 'same') return Math.ceil(n / block.stride);
  const pad = block.padding === 'valid' ? 0 : block.padding;
  return Math.floor((n + 2 * pad - block.kernel) / block.stride) + 1;
}

const cnn = defineImageEncoder<CnnEncoderOptions>({
  id: ID,
  version: '1.0.0',
  description:
    'Images → configurable conv stack (LeNet and VGG presets, BN, pooling, dropout) → flatten or global pooling → vector',
  schema: cnnEncoderOptionsSchema,
  build({ tf, input, name, options, seedFor }) {
    let x: tfjs.SymbolicTensor = input;
    cnnBlocks(options).forEach((block, i) => {
      const at = `${name}/block_${i}`;
      x = convBatchNormActivation(tf, x, block, { name: at, seed: seedFor(`block_${i}`) });
      if (block.pool) x = pool2d(tf, x, block.pool, block.poolSize, `${at}/${block.pool}_pool`);
      x = seededDropout(tf, x, block.dropout, { name: `${at}/dropout`, seed: seedFor(`block_${i}_dropout`) });
    });
    if (options.head === 'flatten') {
      x = tf.layers.flatten({ name: `${name}/flatten` }).apply(x) as tfjs.SymbolicTensor;
    } else {
      const pool =
        options.head === 'globalAverage' ? tf.layers.globalAveragePooling2d : tf.layers.globalMaxPooling2d;
      x = pool({ name: `${name}/${options.head}_pool` }).apply(x) as tfjs.SymbolicTensor;
    }
    x = denseStack(
      tf,
      x,
      options.dense,
      { activation: options.denseActivation, dropout: options.dropout },
      { name: `${name}/head`, seed: seedFor('head') },
    );
    return { kind: 'vector', output: x, dim: staticShape(x)[0]! };
  },
});

/** The `vision:cnn` plugin: what a registry holds and this package default-exports. */
export const cnnEncoderPlugin = cnn.plugin;
/** Validates options and returns a configured `vision:cnn` encoder. */
export const createCnnEncoder = cnn.create;
