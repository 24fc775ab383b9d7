import { mediaReaderFor } from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createCnnEncoder } from '../encoders/cnn.js';
import { gradientPng, mnist } from '../encoders/test-fixtures.js';
import { type ImagePreprocessOptionsInput, imagePreprocessSchema } from '../image-options.js';
import { createImagePreprocessor, normalizePixels, pixelNormalization } from '../preprocess/index.js';
import { PIXEL_NORMALIZATION_CLASS_NAME } from './pixel-normalization.js';
import { visionLayers } from './vision-layers.js';

const context = { record: 0, field: 'image', readMedia: mediaReaderFor({ record: 0, field: 'image' }) };

/** Real decoded images as uint8 features: MNIST digits (grey) and a resized PNG gradient (RGB). */
async function uint8Images(options: ImagePreprocessOptionsInput) {
  const preprocessor = createImagePreprocessor(options);
  const digits = await mnist('t10k', 3);
  const photo = { kind: 'inline', bytes: await gradientPng(61, 47) } as const;
  return Promise.all([...digits.images, photo].map((raw) => preprocessor.preprocess(raw, context)));
}

/** The layer applied to a batch of uint8 features, as the model gets them (float32 0–255). */
function applyLayer(
  features: { data: ArrayLike<number>; shape: readonly number[] }[],
  norm: ReturnType<typeof pixelNormalization>,
) {
  const { PixelNormalization } = visionLayers(tf);
  const layer = new PixelNormalization({ scale: Array.from(norm.scale), offset: Array.from(norm.offset) });
  const size = features[0]!.data.length;
  const batch = new Float32Array(features.length * size);
  for (const [i, f] of features.entries()) batch.set(f.data, i * size);
  return tf.tidy(() => {
    const output = layer.apply(tf.tensor(batch, [features.length, ...features[0]!.shape])) as tf.Tensor;
    return output.dataSync() as Float32Array;
  });
}

describe('PixelNormalization layer', () => {
  const normalizations: ImagePreprocessOptionsInput['normalize'][] = [
    'unit',
    'imagenet',
    'none',
    { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] },
  ];
  for (const channels of [1, 3] as const) {
    for (const normalize of normalizations) {
      if (channels === 1 && typeof normalize === 'object') continue;
      it(`equals the JavaScript normalisation on real images to 1e-6: ${channels} channel(s), ${JSON.stringify(normalize)}`, async () => {
        const options = { size: { width: 28, height: 28 }, channels, normalize };
        const features = await uint8Images(options);
        const norm = pixelNormalization(imagePreprocessSchema.parse(options));
        const fromLayer = applyLayer(features, norm);
        const size = 28 * 28 * channels;
        features.forEach((feature, i) => {
          expect(feature.dtype).toBe('uint8');
          const expected = normalizePixels(
            {
              data: feature.data as Uint8Array,
              width: 28,
              channels,
              left: 0,
              top: 0,
              regionWidth: 28,
              regionHeight: 28,
            },
            norm,
          );
          let worst = 0;
          for (let j = 0; j < size; j++)
            worst = Math.max(worst, Math.abs(fromLayer[i * size + j]! - expected[j]!));
          expect(worst).toBeLessThanOrEqual(1e-6);
        });
      });
    }
  }

  it('matches the float32 preprocessor output of the same file', async () => {
    const bytes = await sharp(Buffer.from(await gradientPng(50, 40)))
      .jpeg({ quality: 90 })
      .toBuffer();
    const raw = { kind: 'inline', bytes: new Uint8Array(bytes) } as const;
    const options = { size: { width: 32, height: 32 }, normalize: 'imagenet' } as const;
    const asBytes = await createImagePreprocessor(options).preprocess(raw, context);
    const asFloats = await createImagePreprocessor({ ...options, output: 'float32' }).preprocess(
      raw,
      context,
    );
    const fromLayer = applyLayer([asBytes], pixelNormalization(imagePreprocessSchema.parse(options)));
    let worst = 0;
    for (let j = 0; j < fromLayer.length; j++)
      worst = Math.max(worst, Math.abs(fromLayer[j]! - asFloats.data[j]!));
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it('is non-trainable, keeps its constants in the config and refuses a channel mismatch', () => {
    const { PixelNormalization } = visionLayers(tf);
    const layer = new PixelNormalization({ name: 'norm', scale: [2, 3, 4], offset: [-1, 0, 1] });
    expect(layer.getClassName()).toBe(PIXEL_NORMALIZATION_CLASS_NAME);
    expect(layer.getConfig()).toMatchObject({
      name: 'norm',
      scale: [2, 3, 4],
      offset: [-1, 0, 1],
      trainable: false,
    });
    expect(() => layer.apply(tf.input({ shape: [4, 4, 1] }))).toThrow(/3 channel\(s\).*last axis is 1/);
    expect(() => new PixelNormalization({ scale: [1, 2], offset: [0] })).toThrow(/as many offsets as scales/);
  });

  it('survives a model JSON round trip (tf.models.modelFromJSON) and predicts the same', async () => {
    const { PixelNormalization } = visionLayers(tf);
    const input = tf.input({ shape: [5, 5, 3] });
    const norm = pixelNormalization({ channels: 3, normalize: 'imagenet' });
    const output = new PixelNormalization({
      scale: Array.from(norm.scale),
      offset: Array.from(norm.offset),
    }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const json = JSON.parse(JSON.stringify(model.toJSON(null, false)));
    const restored = await tf.models.modelFromJSON({ modelTopology: json });
    expect(restored.layers.map((l) => l.getClassName())).toContain(PIXEL_NORMALIZATION_CLASS_NAME);
    const x = tf.randomUniform([2, 5, 5, 3], 0, 255, 'float32', 1);
    const a = model.predict(x) as tf.Tensor;
    const b = restored.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
  });

  it('is the first layer of an encoder whose features are uint8, and absent for float32', async () => {
    const layersOf = async (output: 'uint8' | 'float32') => {
      const encoder = createCnnEncoder({
        preprocess: { size: { width: 28, height: 28 }, channels: 1, output },
      });
      const state = await encoder.fit([], context);
      const input = tf.input({ shape: [28, 28, 1] });
      const encoded = encoder.build({ tf, input, state, name: 'image', seed: 1 });
      return tf.model({ inputs: input, outputs: encoded.output }).layers.map((l) => l.getClassName());
    };
    expect((await layersOf('uint8'))[1]).toBe(PIXEL_NORMALIZATION_CLASS_NAME);
    expect(await layersOf('float32')).not.toContain(PIXEL_NORMALIZATION_CLASS_NAME);
  });
});
