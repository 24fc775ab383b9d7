import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD } from '../image-options.js';
import { backgroundFeature, greyOfRgb, normalizePixels, pixelNormalization } from './pixel-normalization.js';

describe('pixelNormalization', () => {
  it('maps bytes to (v / 255 − mean) / std per channel', () => {
    const norm = pixelNormalization({ channels: 3, normalize: 'imagenet' });
    const bytes = new Uint8Array([0, 128, 255, 255, 0, 17]);
    const out = normalizePixels(
      { data: bytes, width: 2, channels: 3, left: 0, top: 0, regionWidth: 2, regionHeight: 1 },
      norm,
    );
    Array.from(bytes).forEach((v, i) => {
      expect(out[i]).toBeCloseTo((v / 255 - IMAGENET_MEAN[i % 3]!) / IMAGENET_STD[i % 3]!, 5);
    });
  });

  it('keeps bytes exactly with none, and averages the ImageNet statistics for grey', () => {
    const none = pixelNormalization({ channels: 3, normalize: 'none' });
    expect(Array.from(none.scale)).toEqual([1, 1, 1]);
    expect(Array.from(none.offset)).toEqual([0, 0, 0]);
    const grey = pixelNormalization({ channels: 1, normalize: 'imagenet' });
    expect(grey.mean[0]).toBeCloseTo(0.449, 10);
    expect(grey.std[0]).toBeCloseTo(0.226, 10);
  });

  it('normalises a region of a grey source into every output channel', () => {
    // 3×2 grey image; region x 1..2, row 1.
    const data = new Uint8Array([0, 1, 2, 3, 4, 5]);
    const out = normalizePixels(
      { data, width: 3, channels: 1, left: 1, top: 1, regionWidth: 2, regionHeight: 1 },
      pixelNormalization({ channels: 3, normalize: 'none' }),
    );
    expect(Array.from(out)).toEqual([4, 4, 4, 5, 5, 5]);
  });
});

describe('greyOfRgb', () => {
  it('agrees with sharp’s greyscale conversion', async () => {
    const colours = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [51, 102, 153],
      [250, 240, 10],
      [3, 3, 3],
      [255, 255, 255],
    ] as const;
    for (const [r, g, b] of colours) {
      const { data } = await sharp({ create: { width: 1, height: 1, channels: 3, background: { r, g, b } } })
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(Math.abs(greyOfRgb(r, g, b) - data[0]!), `${r},${g},${b}`).toBeLessThanOrEqual(1);
    }
  });

  it('gives the background as feature values', () => {
    const norm = pixelNormalization({ channels: 1, normalize: 'unit' });
    expect(backgroundFeature({ background: 'red', channels: 1 }, norm)[0]).toBeCloseTo(127 / 255, 6);
  });
});
