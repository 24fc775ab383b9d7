import { createRng, type Feature, OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import {
  type ImageAugmentOptionsInput,
  type ImagePreprocessOptionsInput,
  imageAugmentSchema,
  imagePreprocessSchema,
} from '../image-options.js';
import { augmentImage, randomCropBox } from './augment-image.js';
import { backgroundFeature, pixelNormalization } from './pixel-normalization.js';

const preprocess = imagePreprocessSchema.parse({
  size: { width: 24, height: 16 },
  normalize: 'imagenet',
  background: '#204060',
} satisfies ImagePreprocessOptionsInput);
const augment = (options: ImageAugmentOptionsInput) => imageAugmentSchema.parse(options);

/** A 24×16 RGB feature of smooth gradients, normalised like `preprocess`. */
function gradient(w = 24, h = 16, c = 3): Feature {
  const norm = pixelNormalization({ channels: c as 1 | 3, normalize: 'imagenet' });
  const data = new Float32Array(w * h * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const byte = [(x * 255) / (w - 1), (y * 255) / (h - 1), ((x + y) * 255) / (w + h - 2)][k]!;
        data[(y * w + x) * c + k] = byte * norm.scale[k]! + norm.offset[k]!;
      }
  return { dtype: 'float32', shape: [h, w, c], data };
}

/** The same gradient as 0–255 bytes (a uint8 feature, as the preprocessor gives by default). */
function gradientBytes(w = 24, h = 16, c = 3): Feature {
  const data = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const byte = [(x * 255) / (w - 1), (y * 255) / (h - 1), ((x + y) * 255) / (w + h - 2)][k]!;
        data[(y * w + x) * c + k] = Math.round(byte);
      }
  return { dtype: 'uint8', shape: [h, w, c], data };
}

/** A uint8 RGB feature normalised like `preprocess` (what float32 output would have given). */
function normalised(feature: Feature): Feature {
  const norm = pixelNormalization(preprocess);
  const data = Float32Array.from(feature.data, (v, i) => v * norm.scale[i % 3]! + norm.offset[i % 3]!);
  return { dtype: 'float32', shape: feature.shape, data };
}

const everything = augment({
  randomResizedCrop: { scale: [0.5, 1] },
  horizontalFlip: 0.5,
  rotate: 20,
  colorJitter: { brightness: 0.3, contrast: 0.3, saturation: 0.3 },
});

describe('augmentImage', () => {
  it('is seeded: the same seed gives identical output, other seeds differ; shape kept; input untouched', () => {
    const input = gradient();
    const before = input.data.slice();
    const a = augmentImage(input, everything, preprocess, createRng(7));
    const b = augmentImage(input, everything, preprocess, createRng(7));
    expect(a.shape).toEqual([16, 24, 3]);
    expect(a.dtype).toBe('float32');
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(a.data).toEqual(b.data);
    const others = [8, 9, 10].map(
      (seed) => augmentImage(input, everything, preprocess, createRng(seed)).data,
    );
    for (const other of others) expect(other).not.toEqual(a.data);
    expect(input.data).toEqual(before);
    expect(a.data.every(Number.isFinite)).toBe(true);
  });

  it('returns the input itself when every transform is off', () => {
    const input = gradient();
    const off = augment({ colorJitter: {} });
    expect(augmentImage(input, off, preprocess, createRng(1))).toBe(input);
  });

  it('flip of a flip is the identity; one flip mirrors the columns', () => {
    const input = gradient();
    const flip = augment({ horizontalFlip: 1 });
    const once = augmentImage(input, flip, preprocess, createRng(1));
    const twice = augmentImage(once, flip, preprocess, createRng(2));
    expect(twice.data).toEqual(input.data);
    // Column 0 of the flip is column 23 of the input.
    for (let k = 0; k < 3; k++) expect(once.data[k]).toBe(input.data[23 * 3 + k]);
  });

  it('random resized crop of scale 1 with the default ratio keeps a square image as it is', () => {
    const input = gradient(20, 20);
    const whole = augment({ randomResizedCrop: { scale: [1, 1] } });
    for (const seed of [1, 2, 3])
      expect(augmentImage(input, whole, preprocess, createRng(seed)).data).toEqual(input.data);
  });

  it('random resized crop zooms in: a linear gradient stays linear with a steeper slope', () => {
    const input = gradient();
    const crop = augment({ randomResizedCrop: { scale: [0.25, 0.25], ratio: [1.5, 1.5] } });
    const rng = createRng(5);
    const box = randomCropBox(24, 16, [0.25, 0.25], [1.5, 1.5], createRng(5));
    expect(box).toMatchObject({ width: 12, height: 8 });
    const out = augmentImage(input, crop, preprocess, rng);
    // Red rises linearly with x: across the output it now spans the box's width only.
    const red = (f: Feature, x: number, y: number) => f.data[(y * 24 + x) * 3]!;
    const slopeIn = red(input, 20, 5) - red(input, 10, 5);
    const slopeOut = red(out, 20, 5) - red(out, 10, 5);
    expect(slopeOut / slopeIn).toBeCloseTo(12 / 24, 2);
  });

  it('rotation keeps a constant image constant in the middle and fills corners with the background', () => {
    const value = -0.5;
    const input: Feature = {
      dtype: 'float32',
      shape: [16, 24, 3],
      data: new Float32Array(16 * 24 * 3).fill(value),
    };
    const out = augmentImage(input, augment({ rotate: 180 }), preprocess, createRng(3));
    const fill = backgroundFeature(preprocess, pixelNormalization(preprocess));
    const at = (x: number, y: number, k: number) => out.data[(y * 24 + x) * 3 + k]!;
    for (let k = 0; k < 3; k++) expect(at(12, 8, k)).toBeCloseTo(value, 5);
    // The angle drawn from seed 3 is large enough to uncover at least one corner fully.
    const corners = [
      [0, 0],
      [23, 0],
      [0, 15],
      [23, 15],
    ].filter(([x, y]) => [0, 1, 2].every((k) => Math.abs(at(x!, y!, k) - fill[k]!) < 1e-5));
    expect(corners.length).toBeGreaterThan(0);
  });

  it('rotation by a tiny angle barely changes the image', () => {
    const input = gradient();
    const out = augmentImage(input, augment({ rotate: 0.01 }), preprocess, createRng(4));
    let worst = 0;
    // Interior only: the border pixels blend with the fill.
    for (let y = 1; y < 15; y++)
      for (let x = 1; x < 23; x++)
        for (let k = 0; k < 3; k++) {
          const i = (y * 24 + x) * 3 + k;
          worst = Math.max(worst, Math.abs(out.data[i]! - input.data[i]!));
        }
    expect(worst).toBeLessThan(0.01);
  });

  it('colour jitter of 0 is the identity; brightness scales unit values; saturation 0-range keeps grey grey', () => {
    const input = gradient();
    const none = augment({ colorJitter: { brightness: 0, contrast: 0, saturation: 0 } });
    expect(augmentImage(input, none, preprocess, createRng(1)).data).toEqual(input.data);

    const norm = pixelNormalization(preprocess);
    const unit = (f: Feature, i: number) => f.data[i]! * norm.std[i % 3]! + norm.mean[i % 3]!;
    const brighter = augmentImage(
      input,
      augment({ colorJitter: { brightness: 0.5 } }),
      preprocess,
      createRng(11),
    );
    // One factor for the whole image: the ratio of unit values is the same wherever nothing clips.
    const ratios = [100, 200, 500].map((i) => unit(brighter, i) / unit(input, i));
    expect(ratios[0]).toBeGreaterThan(0.5);
    expect(ratios[0]).toBeLessThan(1.5);
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0]!, 4);

    // A grey image has no saturation to change.
    const grey = gradient();
    for (let p = 0; p < 24 * 16; p++) {
      const u = unit(grey, p * 3);
      for (let k = 0; k < 3; k++) grey.data[p * 3 + k] = (u - norm.mean[k]!) / norm.std[k]!;
    }
    const saturated = augmentImage(
      grey,
      augment({ colorJitter: { saturation: 1 } }),
      preprocess,
      createRng(2),
    );
    for (let i = 0; i < grey.data.length; i++) expect(saturated.data[i]).toBeCloseTo(grey.data[i]!, 4);
  });

  it('works on greyscale features', () => {
    const greyOptions = imagePreprocessSchema.parse({ size: { width: 24, height: 16 }, channels: 1 });
    const input = gradient(24, 16, 1);
    const out = augmentImage(input, everything, greyOptions, createRng(1));
    expect(out.shape).toEqual([16, 24, 1]);
    expect(out.data).not.toEqual(input.data);
  });

  it('refuses a feature that is not [height, width, channels] of the options’ channels', () => {
    const flat: Feature = { dtype: 'float32', shape: [16 * 24 * 3], data: new Float32Array(16 * 24 * 3) };
    expect(() => augmentImage(flat, everything, preprocess, createRng(1))).toThrow(OmnifuseError);
    expect(() => augmentImage(gradient(24, 16, 1), everything, preprocess, createRng(1))).toThrow(
      /float32 \[height, width, 3\]/,
    );
  });

  it('uint8: seeded, stays uint8, input untouched, and equals the float32 path rounded to bytes', () => {
    const input = gradientBytes();
    const before = input.data.slice();
    const a = augmentImage(input, everything, preprocess, createRng(7));
    expect(a).toMatchObject({ dtype: 'uint8', shape: [16, 24, 3] });
    expect(a.data).toBeInstanceOf(Uint8Array);
    expect(augmentImage(input, everything, preprocess, createRng(7)).data).toEqual(a.data);
    expect(augmentImage(input, everything, preprocess, createRng(8)).data).not.toEqual(a.data);
    expect(input.data).toEqual(before);
    // The same draws on the normalised float feature, de-normalised: the bytes are those, rounded.
    const norm = pixelNormalization(preprocess);
    for (const seed of [1, 2, 3, 4, 5]) {
      const bytes = augmentImage(input, everything, preprocess, createRng(seed)).data;
      const floats = augmentImage(normalised(input), everything, preprocess, createRng(seed)).data;
      for (let i = 0; i < bytes.length; i++) {
        const k = i % 3;
        const byte = (floats[i]! - norm.offset[k]!) / norm.scale[k]!;
        expect(Math.abs(bytes[i]! - Math.min(255, Math.max(0, byte)))).toBeLessThanOrEqual(0.5 + 1e-3);
      }
    }
  });

  it('uint8: a flip alone moves bytes without converting them', () => {
    const input = gradientBytes();
    const out = augmentImage(input, augment({ horizontalFlip: 1 }), preprocess, createRng(1));
    expect(out.data).toBeInstanceOf(Uint8Array);
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 24; x++)
        for (let k = 0; k < 3; k++)
          expect(out.data[(y * 24 + x) * 3 + k]).toBe(input.data[(y * 24 + 23 - x) * 3 + k]);
  });

  it('uint8: rotation fills uncovered corners with the background colour as bytes', () => {
    const input: Feature = {
      dtype: 'uint8',
      shape: [16, 24, 3],
      data: new Uint8Array(16 * 24 * 3).fill(200),
    };
    const out = augmentImage(input, augment({ rotate: 180 }), preprocess, createRng(3));
    const at = (x: number, y: number) =>
      Array.from(out.data.subarray((y * 24 + x) * 3, (y * 24 + x + 1) * 3));
    expect(at(12, 8)).toEqual([200, 200, 200]);
    const corners = [at(0, 0), at(23, 0), at(0, 15), at(23, 15)];
    expect(corners).toContainEqual([0x20, 0x40, 0x60]);
  });

  it('uint8: brightness clamps at 255 and a greyscale image works', () => {
    const white: Feature = {
      dtype: 'uint8',
      shape: [16, 24, 3],
      data: new Uint8Array(16 * 24 * 3).fill(250),
    };
    const values = new Set<number>();
    for (let seed = 1; seed <= 10; seed++) {
      const out = augmentImage(
        white,
        augment({ colorJitter: { brightness: 1 } }),
        preprocess,
        createRng(seed),
      );
      for (const v of out.data) values.add(v);
    }
    // Brighter draws clip at 255 (not wrap around), darker ones fall below the input.
    expect(Math.max(...values)).toBe(255);
    expect(Math.min(...values)).toBeLessThan(250);
    const greyOptions = imagePreprocessSchema.parse({ size: { width: 24, height: 16 }, channels: 1 });
    const grey = gradientBytes(24, 16, 1);
    const out = augmentImage(grey, everything, greyOptions, createRng(1));
    expect(out).toMatchObject({ dtype: 'uint8', shape: [16, 24, 1] });
    expect(out.data).not.toEqual(grey.data);
  });

  it('augments a 224×224 RGB image with every transform in a few milliseconds', () => {
    const input = gradient(224, 224);
    const big = imagePreprocessSchema.parse({ normalize: 'imagenet' });
    augmentImage(input, everything, big, createRng(0));
    const start = performance.now();
    for (let i = 0; i < 20; i++) augmentImage(input, everything, big, createRng(i));
    expect((performance.now() - start) / 20).toBeLessThan(25);
    const bytes = gradientBytes(224, 224);
    augmentImage(bytes, everything, big, createRng(0));
    const startBytes = performance.now();
    for (let i = 0; i < 20; i++) augmentImage(bytes, everything, big, createRng(i));
    expect((performance.now() - startBytes) / 20).toBeLessThan(25);
  });
});
