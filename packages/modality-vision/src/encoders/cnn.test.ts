import { ErrorCode, type MediaRef, OmnifuseError } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageRaw } from '../image-options.js';
import { cnnBlocks, cnnEncoderOptionsSchema, cnnEncoderPlugin, createCnnEncoder } from './cnn.js';
import { gradientPng, mnist, randomBytes } from './test-fixtures.js';

const MNIST_PREPROCESS = { size: { width: 28, height: 28 }, channels: 1 } as const;
/** MultiBench's AV-MNIST image encoder, `LeNet(1, 6, 3)`. */
const LENET_1_6_3 = {
  preset: 'lenet',
  inChannels: 1,
  baseFilters: 6,
  extraBlocks: 3,
  preprocess: MNIST_PREPROCESS,
};

const digits = await mnist('t10k', 4);
const inline = async (width: number, height: number, channels: 3 | 4 = 3): Promise<MediaRef> => ({
  kind: 'inline',
  bytes: await gradientPng(width, height, channels),
});
const samples: ImageRaw[] = [...digits.images, await inline(40, 30), await inline(20, 36, 4)];
const badInputs = [
  {
    value: { width: 28, height: 28, channels: 1, data: new Uint8Array(100) },
    reason: 'pixel data of the wrong length',
  },
  { value: { kind: 'inline', bytes: randomBytes(256) }, reason: 'bytes that are no image' },
];

describeEncoderConformance('LeNet(1, 6, 3)', {
  plugin: cnnEncoderPlugin,
  options: LENET_1_6_3,
  samples,
  badInputs,
  invalidOptions: [
    { preset: 'lenet', blocks: [{ filters: 4 }] },
    { preset: 'lenet', inChannels: 3, preprocess: MNIST_PREPROCESS },
    { preset: 'lenet', extraBlocks: 5, preprocess: MNIST_PREPROCESS },
    { blocks: [] },
    { blocks: [{ filters: 4, pool: 'median' }] },
    { head: 'attention' },
    { preprocess: { channels: 2 } },
    { unknown: true },
  ],
});

describeEncoderConformance('custom CNN with augmentation and a dense head', {
  plugin: cnnEncoderPlugin,
  options: {
    preprocess: { size: { width: 24, height: 24 }, channels: 3 },
    augment: { rotate: 15, randomResizedCrop: { scale: [0.7, 1] } },
    blocks: [
      { filters: 4, kernel: 3, padding: 1, pool: 'avg', dropout: 0.1 },
      { filters: 8, kernel: 3, stride: 2, batchNorm: false, activation: 'gelu', pool: 'max' },
    ],
    head: 'globalMax',
    dense: [16],
    dropout: 0.2,
  },
  samples,
  badInputs,
});

describe('vision:cnn LeNet preset', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('expands LeNet(1, 6, 3) as MultiBench builds it', () => {
    const options = cnnEncoderOptionsSchema.parse(LENET_1_6_3);
    expect(
      cnnBlocks(options).map((b) => [
        b.filters,
        b.kernel,
        b.padding,
        b.bias,
        b.batchNorm,
        b.activation,
        b.pool,
      ]),
    ).toEqual([
      [6, 5, 2, false, true, 'relu', 'max'],
      [12, 3, 1, false, true, 'relu', 'max'],
      [24, 3, 1, false, true, 'relu', 'max'],
      [48, 3, 1, false, true, 'relu', 'max'],
    ]);
  });

  it('gives 48-d for a 28×28 digit and the PyTorch model parameter count', async () => {
    const encoder = createCnnEncoder(LENET_1_6_3);
    const state = await encoder.fit([], { field: 'image', readMedia: async () => new Uint8Array() });
    expect(state.featureSpec).toEqual({ dtype: 'uint8', shape: [28, 28, 1] });
    const input = tf.input({ shape: [28, 28, 1] });
    const encoded = encoder.build({ tf, input, state, name: 'image', seed: 1 });
    expect(encoded.kind).toBe('vector');
    expect(encoded.dim).toBe(48); // 28 → 14 → 7 → 3 → 1 after four max-pools: 48 channels × 1 × 1
    const model = tf.model({ inputs: input, outputs: encoded.output });
    const count = (weights: tf.LayerVariable[]) =>
      weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    // PyTorch LeNet(1, 6, 3) parameters (conv weights, no bias, + BatchNorm2d weight and bias):
    //   conv 1→6 5×5: 150, conv 6→12 3×3: 648, conv 12→24 3×3: 2592, conv 24→48 3×3: 10368 → 13758
    //   BN gamma + beta: 2 × (6 + 12 + 24 + 48) = 180                                    → 13938
    // Its BN running mean/var buffers (2 × 90 = 180) are tfjs's non-trainable moving statistics.
    expect(count(model.trainableWeights)).toBe(13_938);
    expect(count(model.nonTrainableWeights)).toBe(180);
    const kernels = model.trainableWeights
      .filter((w) => w.originalName.endsWith('/kernel'))
      .map((w) => w.shape);
    expect(kernels).toEqual([
      [5, 5, 1, 6],
      [3, 3, 6, 12],
      [3, 3, 12, 24],
      [3, 3, 24, 48],
    ]);
    expect(model.trainableWeights.some((w) => w.originalName.endsWith('/bias'))).toBe(false);
    model.dispose();
  });

  it('names the plugin and the option path in E_OPTIONS errors', () => {
    let error: unknown;
    try {
      createCnnEncoder({ ...LENET_1_6_3, extraBlocks: 5 });
    } catch (e) {
      error = e;
    }
    expect(OmnifuseError.isInstance(error)).toBe(true);
    const e = error as OmnifuseError;
    expect(e.code).toBe(ErrorCode.InvalidOptions);
    expect(e.plugin).toBe('vision:cnn');
    expect(e.path).toBe('extraBlocks');
    expect(e.message).toMatch(/no pixels left after block 4/);
    const nested = (() => {
      try {
        createCnnEncoder({ blocks: [{ filters: 4 }, { filters: -1 }] });
      } catch (caught) {
        return caught as OmnifuseError;
      }
    })();
    expect(nested?.path).toBe('blocks[1].filters');
  });

  it('resolves options to a fixed point and keeps them plain JSON', () => {
    const once = createCnnEncoder({ preset: 'vgg' }).options;
    expect(once).toMatchObject({ preset: 'vgg', baseFilters: 32, extraBlocks: 2, head: 'globalAverage' });
    expect(createCnnEncoder(JSON.parse(JSON.stringify(once))).options).toEqual(once);
    const custom = createCnnEncoder({ blocks: [{ filters: 4, batchNorm: false }] }).options;
    expect(custom.blocks?.[0]?.bias).toBe(true);
    expect(createCnnEncoder(custom).options).toEqual(custom);
  });

  it('builds the VGG preset to a global-average vector of the last stage width', () => {
    const encoder = createCnnEncoder({
      preset: 'vgg',
      baseFilters: 8,
      extraBlocks: 1,
      preprocess: MNIST_PREPROCESS,
    });
    const input = tf.input({ shape: [28, 28, 1] });
    const encoded = encoder.build({
      tf,
      input,
      state: { featureSpec: { dtype: 'float32', shape: [28, 28, 1] } },
      name: 'v',
      seed: 3,
    });
    expect(encoded.dim).toBe(16);
    expect(cnnBlocks(encoder.options)).toHaveLength(4);
  });

  it('has no augment unless augment options change something', () => {
    expect(createCnnEncoder({}).augment).toBeUndefined();
    expect(createCnnEncoder({ augment: {} }).augment).toBeUndefined();
    expect(typeof createCnnEncoder({ augment: { rotate: 5 } }).augment).toBe('function');
  });
});
