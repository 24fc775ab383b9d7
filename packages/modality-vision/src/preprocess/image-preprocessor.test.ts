import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Feature, mediaReaderFor, OmnifuseError, toMediaRef } from '@omnifuse/core';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, type ImagePreprocessOptionsInput } from '../image-options.js';
import { createImagePreprocessor } from './image-preprocessor.js';

const RED = { r: 255, g: 0, b: 0 };
const GREEN = { r: 0, g: 255, b: 0 };
const BLUE = { r: 0, g: 0, b: 255 };
type Rgb = typeof RED;

let dir: string;
const context = (record: string | number = 'r1') => ({
  record,
  field: 'photo',
  readMedia: mediaReaderFor({ record, field: 'photo' }),
});

async function writeImage(name: string, image: Sharp): Promise<string> {
  await image.toFile(path.join(dir, name));
  return name;
}

async function run(options: ImagePreprocessOptionsInput, name: string): Promise<Feature> {
  return createImagePreprocessor(options).preprocess(toMediaRef(name, dir), context());
}

/** Pixel (x, y) of a feature, as numbers. */
function pixel(feature: Feature, x: number, y: number): number[] {
  const [, w, c] = feature.shape as [number, number, number];
  return Array.from(feature.data.subarray((y * w + x) * c, (y * w + x + 1) * c));
}

function expectColour(actual: number[], expected: Rgb, tolerance = 0) {
  const want = [expected.r, expected.g, expected.b];
  actual.forEach((v, k) => {
    expect(Math.abs(v - want[k]!), `channel ${k}: ${actual} vs ${want}`).toBeLessThanOrEqual(tolerance);
  });
}

/** A `width × height` RGB image whose columns are split evenly between `colours`, left to right. */
function stripes(width: number, height: number, colours: Rgb[]): Sharp {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const { r, g, b } = colours[Math.floor((x * colours.length) / width)]!;
      data.set([r, g, b], (y * width + x) * 3);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-vision-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createImagePreprocessor: formats', () => {
  // Lossy codecs blur the red/blue edge and shift colours a little; sample away from the edge.
  const formats: [string, (s: Sharp) => Sharp, number][] = [
    ['png', (s) => s.png(), 0],
    ['jpg', (s) => s.jpeg({ quality: 95 }), 12],
    ['webp', (s) => s.webp({ quality: 95 }), 12],
    ['gif', (s) => s.gif(), 0],
    ['tiff', (s) => s.tiff({ compression: 'lzw' }), 0],
    ['avif', (s) => s.avif({ quality: 90 }), 20],
  ];
  it.each(formats)('decodes %s', async (ext, encode, tolerance) => {
    const name = await writeImage(`halves.${ext}`, encode(stripes(32, 24, [RED, BLUE])));
    const feature = await run({ size: { width: 32, height: 24 }, resize: 'fit', normalize: 'none' }, name);
    expect(feature).toMatchObject({ dtype: 'uint8', shape: [24, 32, 3] });
    expect(feature.data).toBeInstanceOf(Uint8Array);
    expectColour(pixel(feature, 4, 12), RED, tolerance);
    expectColour(pixel(feature, 27, 12), BLUE, tolerance);
  });

  it('reads 16-bit PNGs and CMYK JPEGs as 8-bit sRGB', async () => {
    const deep = new Uint16Array(4 * 4 * 3).fill(40000);
    const png16 = await writeImage(
      'deep.png',
      sharp(deep, { raw: { width: 4, height: 4, channels: 3 } })
        .toColourspace('rgb16')
        .png(),
    );
    expect((await sharp(path.join(dir, png16)).metadata()).depth).toBe('ushort');
    const fromDeep = await run({ size: { width: 4, height: 4 }, normalize: 'none' }, png16);
    expectColour(pixel(fromDeep, 1, 1), { r: 156, g: 156, b: 156 }); // 40000 / 257
    const cmyk = await writeImage(
      'cmyk.jpg',
      stripes(8, 8, [RED]).toColourspace('cmyk').jpeg({ quality: 95 }),
    );
    expect((await sharp(path.join(dir, cmyk)).metadata()).space).toBe('cmyk');
    const fromCmyk = await run({ size: { width: 8, height: 8 }, normalize: 'none' }, cmyk);
    expect(fromCmyk.shape).toEqual([8, 8, 3]);
    expectColour(pixel(fromCmyk, 4, 4), RED, 40);
  });

  it('reads only the first frame of an animated GIF', async () => {
    // Two 8×8 frames stacked: red, then green.
    const frames = new Uint8Array(8 * 16 * 3);
    for (let p = 0; p < 8 * 16; p++) frames.set(p < 64 ? [255, 0, 0] : [0, 255, 0], p * 3);
    const name = await writeImage(
      'animated.gif',
      sharp(frames, { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } }).gif(),
    );
    expect((await sharp(path.join(dir, name)).metadata()).pages).toBe(2);
    const feature = await run({ size: { width: 8, height: 8 }, normalize: 'none' }, name);
    expectColour(pixel(feature, 4, 4), RED);
  });

  it('honours EXIF orientation 6 (rotate 90° clockwise to display)', async () => {
    // Stored 40×20 with a red top-left corner; displayed 20×40 with the red corner top-right.
    const data = new Uint8Array(40 * 20 * 3).fill(255);
    for (let y = 0; y < 6; y++) for (let x = 0; x < 10; x++) data.set([255, 0, 0], (y * 40 + x) * 3);
    const name = await writeImage(
      'oriented.jpg',
      sharp(data, { raw: { width: 40, height: 20, channels: 3 } })
        .withMetadata({ orientation: 6 })
        .jpeg({ quality: 95 }),
    );
    expect((await sharp(path.join(dir, name)).metadata()).orientation).toBe(6);
    const feature = await run({ size: { width: 20, height: 40 }, resize: 'fit', normalize: 'none' }, name);
    expect(feature.shape).toEqual([40, 20, 3]);
    expectColour(pixel(feature, 18, 2), RED, 30);
    expectColour(pixel(feature, 1, 2), { r: 255, g: 255, b: 255 }, 30);
    expectColour(pixel(feature, 18, 37), { r: 255, g: 255, b: 255 }, 30);
  });

  it('flattens alpha onto the background', async () => {
    // Left half transparent, right half red at alpha 0.5.
    const data = new Uint8Array(8 * 4 * 4);
    for (let p = 0; p < 32; p++) if (p % 8 >= 4) data.set([255, 0, 0, 128], p * 4);
    const name = await writeImage(
      'alpha.png',
      sharp(data, { raw: { width: 8, height: 4, channels: 4 } }).png(),
    );
    const feature = await run(
      { size: { width: 8, height: 4 }, background: '#0000ff', normalize: 'none' },
      name,
    );
    expect(feature.shape).toEqual([4, 8, 3]);
    expectColour(pixel(feature, 1, 1), BLUE);
    expectColour(pixel(feature, 6, 1), { r: 128, g: 0, b: 127 }, 1);
  });
});

describe('createImagePreprocessor: geometry', () => {
  it('contain keeps the aspect ratio and pads with the background', async () => {
    const name = await writeImage('wide-red.png', stripes(40, 20, [RED]).png());
    const feature = await run(
      { size: { width: 8, height: 8 }, resize: 'contain', background: 'blue', normalize: 'none' },
      name,
    );
    for (const y of [0, 1, 6, 7]) expectColour(pixel(feature, 3, y), BLUE);
    for (const y of [2, 3, 4, 5]) for (const x of [0, 7]) expectColour(pixel(feature, x, y), RED);
  });

  it('cover keeps the aspect ratio and crops the overflow around the centre', async () => {
    const name = await writeImage('rgb-stripes.png', stripes(60, 20, [RED, GREEN, BLUE]).png());
    const feature = await run({ size: { width: 10, height: 10 }, resize: 'cover', normalize: 'none' }, name);
    for (const y of [0, 5, 9]) for (const x of [3, 5, 6]) expectColour(pixel(feature, x, y), GREEN, 2);
  });

  it('fit stretches to the size without padding', async () => {
    const name = await writeImage('wide-halves.png', stripes(40, 10, [RED, BLUE]).png());
    const feature = await run(
      { size: { width: 8, height: 8 }, resize: 'fit', background: '#00ff00', normalize: 'none' },
      name,
    );
    for (const y of [0, 7]) {
      expectColour(pixel(feature, 0, y), RED, 2);
      expectColour(pixel(feature, 7, y), BLUE, 2);
    }
  });

  it('centre-crops after resizing, and featureSpec has the crop size', async () => {
    // 12×12 white with a black 4×4 centre: resize to the same size, crop 4×4 → all black.
    const data = new Uint8Array(12 * 12 * 3).fill(255);
    for (let y = 4; y < 8; y++)
      for (let x = 4; x < 8; x++) data.fill(0, (y * 12 + x) * 3, (y * 12 + x + 1) * 3);
    const name = await writeImage(
      'centre.png',
      sharp(data, { raw: { width: 12, height: 12, channels: 3 } }).png(),
    );
    const options = {
      size: { width: 12, height: 12 },
      crop: { width: 4, height: 4 },
      normalize: 'none',
    } as const;
    expect(createImagePreprocessor(options).featureSpec()).toEqual({ dtype: 'uint8', shape: [4, 4, 3] });
    expect(createImagePreprocessor({ ...options, output: 'float32' }).featureSpec()).toEqual({
      dtype: 'float32',
      shape: [4, 4, 3],
    });
    const feature = await run(options, name);
    expect(feature.shape).toEqual([4, 4, 3]);
    expect(Math.max(...feature.data)).toBe(0);
  });
});

describe('createImagePreprocessor: values', () => {
  it('keeps uint8 pixels as sharp gives them, whatever normalize says (the encoder applies it)', async () => {
    const colour = { r: 128, g: 64, b: 192 };
    const name = await writeImage('purple-bytes.png', stripes(6, 6, [colour]).png());
    for (const normalize of ['imagenet', 'unit', 'none'] as const) {
      const feature = await run({ size: { width: 6, height: 6 }, normalize }, name);
      expect(feature.dtype).toBe('uint8');
      expect(feature.data).toBeInstanceOf(Uint8Array);
      expect(feature.data.length).toBe(6 * 6 * 3);
      expect(feature.data.byteLength).toBe(feature.data.buffer.byteLength);
      for (const [x, y] of [
        [0, 0],
        [3, 3],
        [5, 5],
      ]) {
        expect(pixel(feature, x!, y!)).toEqual([128, 64, 192]);
      }
    }
  });

  it('normalises a known colour with ImageNet statistics (float32 output)', async () => {
    const colour = { r: 128, g: 64, b: 192 };
    const name = await writeImage('purple.png', stripes(6, 6, [colour]).png());
    const feature = await run(
      { size: { width: 6, height: 6 }, normalize: 'imagenet', output: 'float32' },
      name,
    );
    expect(feature.data).toBeInstanceOf(Float32Array);
    const expected = [colour.r, colour.g, colour.b].map(
      (v, k) => (v / 255 - IMAGENET_MEAN[k]!) / IMAGENET_STD[k]!,
    );
    pixel(feature, 3, 3).forEach((v, k) => {
      expect(v).toBeCloseTo(expected[k]!, 5);
    });
    const unit = await run({ size: { width: 6, height: 6 }, normalize: 'unit', output: 'float32' }, name);
    pixel(unit, 0, 0).forEach((v, k) => {
      expect(v).toBeCloseTo([128, 64, 192][k]! / 255, 6);
    });
    const custom = await run(
      { size: { width: 6, height: 6 }, normalize: { mean: [0.5], std: [0.25, 0.5, 1] }, output: 'float32' },
      name,
    );
    pixel(custom, 0, 0).forEach((v, k) => {
      expect(v).toBeCloseTo(([128, 64, 192][k]! / 255 - 0.5) / [0.25, 0.5, 1][k]!, 5);
    });
  });

  it('converts to greyscale as libvips does; greyscale imagenet uses the mean statistics', async () => {
    const name = await writeImage('red.png', stripes(5, 5, [RED]).png());
    const grey = await run({ size: { width: 5, height: 5 }, channels: 1, normalize: 'none' }, name);
    expect(grey.shape).toEqual([5, 5, 1]);
    // Luminance of linear red (0.2126) re-encoded with the sRGB curve: 0.498 × 255.
    expect(grey.data[12]).toBe(127);
    const imagenet = await run(
      { size: { width: 5, height: 5 }, channels: 1, normalize: 'imagenet', output: 'float32' },
      name,
    );
    expect(imagenet.data[12]).toBeCloseTo((127 / 255 - 0.449) / 0.226, 5);
  });

  it('pads greyscale contain with the grey that sharp converts the background colour to', async () => {
    const name = await writeImage('wide-black.png', stripes(20, 10, [{ r: 0, g: 0, b: 0 }]).png());
    const feature = await run(
      {
        size: { width: 4, height: 4 },
        resize: 'contain',
        channels: 1,
        background: '#ff0000',
        normalize: 'none',
      },
      name,
    );
    expect(Array.from(feature.data)).toEqual([
      127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 127, 127, 127, 127,
    ]);
  });

  it('is deterministic: the same file twice gives identical features', async () => {
    const name = await writeImage('noise.jpg', noise(64, 48).jpeg());
    const preprocessor = createImagePreprocessor({ size: { width: 32, height: 32 }, normalize: 'imagenet' });
    const [a, b] = await Promise.all(
      [0, 1].map(() => preprocessor.preprocess(toMediaRef(name, dir), context())),
    );
    expect(Buffer.from(a!.data.buffer).equals(Buffer.from(b!.data.buffer))).toBe(true);
  });

  it('takes inline bytes like a file', async () => {
    const name = await writeImage('inline.png', noise(20, 10).png());
    const file = await run({ size: { width: 8, height: 8 } }, name);
    const bytes = new Uint8Array(await sharp(path.join(dir, name)).png().toBuffer());
    const inline = await createImagePreprocessor({ size: { width: 8, height: 8 } }).preprocess(
      { kind: 'inline', bytes },
      context(),
    );
    expect(inline.data).toEqual(file.data);
  });
});

describe('createImagePreprocessor: decoded pixels', () => {
  const cases: [string, number, ImagePreprocessOptionsInput][] = [
    [
      'RGB, resized (sharp path)',
      3,
      { size: { width: 16, height: 16 }, resize: 'cover', normalize: 'imagenet' },
    ],
    ['RGBA, contain', 4, { size: { width: 16, height: 12 }, resize: 'contain', background: '#336699' }],
    ['RGB to grey, same size', 3, { size: { width: 37, height: 23 }, channels: 1 }],
    [
      'grey, same size (fast path)',
      1,
      { size: { width: 37, height: 23 }, channels: 1, normalize: 'imagenet' },
    ],
    [
      'grey to RGB, same size, cropped (fast path)',
      1,
      { size: { width: 37, height: 23 }, crop: { width: 9, height: 7 } },
    ],
    ['RGB, same size (fast path)', 3, { size: { width: 37, height: 23 }, normalize: 'none' }],
  ];
  it.each(
    cases.flatMap(([what, channels, options]) =>
      (['uint8', 'float32'] as const).map(
        (output) => [`${what}, ${output}`, channels, { ...options, output }] as const,
      ),
    ),
  )('equal decoding the same pixels saved as PNG: %s', async (_, channels, options) => {
    const data = noisePixels(37, 23, channels, 7);
    const name = await writeImage(
      `pixels-${channels}-${Object.keys(options).join('-')}-${options.output}.png`,
      sharp(data, { raw: { width: 37, height: 23, channels: channels as 1 | 3 | 4 } }).png(),
    );
    const preprocessor = createImagePreprocessor(options);
    const fromPng = await preprocessor.preprocess(toMediaRef(name, dir), context());
    const fromPixels = await preprocessor.preprocess({ width: 37, height: 23, channels, data }, context());
    expect(fromPixels).toMatchObject(preprocessor.featureSpec());
    expect(fromPixels.data.buffer).not.toBe(data.buffer);
    expect(Buffer.from(fromPixels.data.buffer).equals(Buffer.from(fromPng.data.buffer))).toBe(true);
  });

  it('reads 0–1 Float32Array pixels at full precision for float32 output, rounded for uint8', async () => {
    const data = Float32Array.from({ length: 6 * 4 }, (_, i) => i / 23);
    const image = { width: 6, height: 4, channels: 1, data };
    const size = { width: 6, height: 4 };
    const floats = await createImagePreprocessor({ size, channels: 1, output: 'float32' }).preprocess(
      image,
      context(),
    );
    floats.data.forEach((v, i) => {
      expect(v).toBeCloseTo(i / 23, 6);
    });
    const bytes = await createImagePreprocessor({ size, channels: 1 }).preprocess(image, context());
    expect(bytes.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes.data)).toEqual(Array.from(data, (v) => Math.round(v * 255)));
    // Resized through sharp: the same rounding first.
    const resized = await createImagePreprocessor({ size: { width: 3, height: 2 }, channels: 1 }).preprocess(
      image,
      context(),
    );
    expect(resized).toMatchObject({ dtype: 'uint8', shape: [2, 3, 1] });
  });

  it('reads a view into a larger buffer at its offset', async () => {
    const whole = noisePixels(8, 8 * 3, 1, 3);
    const view = whole.subarray(64, 128);
    const preprocessor = createImagePreprocessor({ size: { width: 16, height: 16 }, channels: 1 });
    const fromView = await preprocessor.preprocess(
      { width: 8, height: 8, channels: 1, data: view },
      context(),
    );
    const fromCopy = await preprocessor.preprocess(
      { width: 8, height: 8, channels: 1, data: view.slice() },
      context(),
    );
    expect(fromView.data).toEqual(fromCopy.data);
  });
});

describe('createImagePreprocessor: options', () => {
  it.each([
    [{ crop: { width: 300, height: 10 } }, 'crop'],
    [{ background: 'not-a-colour' }, 'background'],
    [{ normalize: { mean: [0.1, 0.2], std: [1] } }, 'normalize.mean'],
    [{ resize: 'squash' }, 'resize'],
    [{ channels: 1, normalize: { mean: [0.1], std: [1, 1, 1] } }, 'normalize.std'],
  ])('refuses %j with E_OPTIONS at %s', (options, at) => {
    try {
      createImagePreprocessor(options as ImagePreprocessOptionsInput);
      expect.unreachable();
    } catch (error) {
      expect(OmnifuseError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'E_OPTIONS', path: at });
    }
  });
});

function noisePixels(width: number, height: number, channels: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * channels);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return data;
}

function noise(width: number, height: number): Sharp {
  return sharp(noisePixels(width, height, 3, 1), { raw: { width, height, channels: 3 } });
}
