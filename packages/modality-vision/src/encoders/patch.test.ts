import { customLayers, ErrorCode, OmnifuseError, POSITION_EMBEDDING_CLASS_NAME } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageRaw } from '../image-options.js';
import { createPatchEncoder, patchEncoderPlugin } from './patch.js';
import { gradientPng, mnist, randomBytes } from './test-fixtures.js';

const digits = await mnist('t10k', 4);
const samples: ImageRaw[] = [
  ...digits.images,
  { kind: 'inline', bytes: await gradientPng(40, 30) },
  { kind: 'inline', bytes: await gradientPng(64, 64) },
];
const OPTIONS = {
  preprocess: { size: { width: 28, height: 28 }, channels: 3 },
  patchSize: 7,
  dim: 16,
  dropout: 0.1,
};

describeEncoderConformance('ViT patch embedding', {
  plugin: patchEncoderPlugin,
  options: OPTIONS,
  samples,
  badInputs: [
    { value: { width: 0, height: 28, channels: 1, data: new Uint8Array(0) }, reason: 'zero width' },
    { value: { kind: 'inline', bytes: randomBytes(64) }, reason: 'bytes that are no image' },
  ],
  invalidOptions: [{ ...OPTIONS, patchSize: 5 }, { patchSize: 0 }, { dim: 1.5 }, { layerNorm: 'yes' }],
});

describeEncoderConformance('ViT patch embedding without layer norm, on a centre crop', {
  plugin: patchEncoderPlugin,
  options: {
    preprocess: { size: { width: 36, height: 36 }, crop: { width: 32, height: 24 } },
    patchSize: 8,
    dim: 8,
    layerNorm: false,
  },
  samples,
  skip: { 'bad-inputs': 'covered by the suite above' },
});

describe('vision:patch', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives one token per patch, a null mask and the embedding dim', () => {
    const encoder = createPatchEncoder(OPTIONS);
    const input = tf.input({ shape: [28, 28, 3] });
    const encoded = encoder.build({
      tf,
      input,
      state: { featureSpec: { dtype: 'float32', shape: [28, 28, 3] } },
      name: 'p',
      seed: 9,
    });
    expect(encoded).toMatchObject({ kind: 'sequence', mask: null, length: 16, dim: 16 });
    expect(encoded.output.shape).toEqual([null, 16, 16]);
    const model = tf.model({ inputs: input, outputs: encoded.output });
    const embeddings = model.getLayer('p/position_embedding');
    expect(embeddings.getClassName()).toBe(POSITION_EMBEDDING_CLASS_NAME);
    expect(embeddings.getWeights().map((w) => w.shape)).toEqual([[16, 16]]);
    model.dispose();
  });

  it('names patchSize when it does not divide the image', () => {
    let error: unknown;
    try {
      createPatchEncoder({ ...OPTIONS, patchSize: 5 });
    } catch (e) {
      error = e;
    }
    expect(OmnifuseError.isInstance(error) && error.code).toBe(ErrorCode.InvalidOptions);
    expect((error as OmnifuseError).path).toBe('patchSize');
    expect((error as OmnifuseError).plugin).toBe('vision:patch');
  });

  it('defines and registers the position embedding layer once per tfjs namespace', () => {
    expect(customLayers(tf)).toBe(customLayers(tf));
    const config = new (customLayers(tf).PositionEmbedding)({ seed: 3, stddev: 0.5, name: 'x' }).getConfig();
    expect(config).toMatchObject({ seed: 3, stddev: 0.5, name: 'x' });
  });
});
