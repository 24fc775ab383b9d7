import { describeEncoderConformance } from '@omnifuse/core/testing';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageRaw } from '../image-options.js';
import { createResnetEncoder, resnetEncoderPlugin } from './resnet.js';
import { gradientPng, mnist, randomBytes } from './test-fixtures.js';

const digits = await mnist('t10k', 4);
const samples: ImageRaw[] = [
  ...digits.images,
  { kind: 'inline', bytes: await gradientPng(40, 30) },
  { kind: 'inline', bytes: await gradientPng(17, 33, 4) },
];
const SMALL = {
  preprocess: { size: { width: 28, height: 28 }, channels: 1 },
  stem: { filters: 8 },
  stages: [
    { filters: 8, blocks: 1 },
    { filters: 16, blocks: 1 },
  ],
};

describeEncoderConformance('small ResNet', {
  plugin: resnetEncoderPlugin,
  options: SMALL,
  samples,
  badInputs: [
    {
      value: { width: 28, height: 28, channels: 3, data: new Uint8Array(28 * 28) },
      reason: 'pixel data of the wrong length',
    },
    { value: { kind: 'inline', bytes: randomBytes(300) }, reason: 'bytes that are no image' },
    { value: 'not an image', reason: 'a string' },
  ],
  invalidOptions: [{ stages: [] }, { stages: [{ filters: 0 }] }, { stem: { pool: 'yes' } }, { depth: 18 }],
});

describe('vision:resnet', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const build = (options: unknown, shape: [number, number, number]) => {
    const encoder = createResnetEncoder(options);
    const input = tf.input({ shape });
    const encoded = encoder.build({
      tf,
      input,
      state: { featureSpec: { dtype: 'float32', shape } },
      name: 'r',
      seed: 5,
    });
    const model = tf.model({ inputs: input, outputs: encoded.output });
    return { encoder, encoded, model };
  };

  it('strides every stage after the first and projects the shortcut only where the shape changes', () => {
    const { encoder, encoded, model } = build(SMALL, [28, 28, 1]);
    expect(encoder.options.stages.map((s) => s.stride)).toEqual([1, 2]);
    expect(encoded.dim).toBe(16);
    const names = model.layers.map((l) => l.name);
    // Stage 0 keeps 8 channels at stride 1 (identity); stage 1 goes to 16 at stride 2 (1×1 projection).
    expect(names).not.toContain('r/stage_0/block_0/projection/conv');
    expect(names).toContain('r/stage_1/block_0/projection/conv');
    const projection = model.getLayer('r/stage_1/block_0/projection/conv');
    expect(projection.getWeights()[0]!.shape).toEqual([1, 1, 8, 16]);
    expect(model.getLayer('r/stage_1/block_0/add').outputShape).toEqual([null, 14, 14, 16]);
    model.dispose();
  });

  it('builds the default network (ResNet-14 style) on an RGB image to a 64-d vector', () => {
    const { encoded, model } = build({ preprocess: { size: { width: 32, height: 32 } } }, [32, 32, 3]);
    expect(encoded.dim).toBe(64);
    expect(model.getLayer('r/stage_2/block_1/add').outputShape).toEqual([null, 8, 8, 64]);
    model.dispose();
  });
});
