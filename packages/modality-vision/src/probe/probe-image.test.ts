import { OmnifuseError } from '@omnifuse/core';
import {
  badCrcPng,
  bmpBytes,
  digitPng,
  greyJpeg,
  hugePng,
  pngChunk,
  textBytes,
  wavBytes,
} from '@omnifuse/test-utils/image-corpus';
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeImage } from './probe-image.js';

/** A probe failure: an `E_INPUT` OmnifuseError with `details.problem`. */
function probeFailure(bytes: Uint8Array): OmnifuseError {
  try {
    probeImage(bytes);
  } catch (error) {
    expect(OmnifuseError.isInstance(error), String(error)).toBe(true);
    expect((error as OmnifuseError).code).toBe('E_INPUT');
    return error as OmnifuseError;
  }
  throw new Error('expected probeImage to throw');
}

const problemOf = (bytes: Uint8Array) => probeFailure(bytes).details?.problem;

/** Pixels with some structure, so encoders cannot collapse them to a trivial file. */
function pixels(width: number, height: number, channels: number): Buffer {
  return Buffer.from(
    Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37 + (i >> 5) * 11) & 255),
  );
}

async function encode(
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  format: (image: Sharp) => Sharp,
): Promise<Uint8Array> {
  const image = sharp(pixels(width, height, channels), { raw: { width, height, channels } });
  return new Uint8Array(await format(image).toBuffer());
}

interface Sample {
  readonly name: string;
  readonly format: string;
  readonly bytes: Uint8Array;
  /** Whether the header declares its channels (GIF and AVIF do not, in what probeImage reads). */
  readonly channels?: boolean;
}

const samples: Sample[] = [];

beforeAll(async () => {
  const add = async (
    name: string,
    format: string,
    size: [number, number, 1 | 3 | 4],
    encoder: (image: Sharp) => Sharp,
    channels = true,
  ) => {
    samples.push({ name, format, bytes: await encode(...size, encoder), channels });
  };
  await add('PNG grey', 'png', [37, 23, 1], (i) => i.toColourspace('b-w').png());
  await add('PNG RGB', 'png', [64, 48, 3], (i) => i.png());
  await add('PNG RGBA, interlaced', 'png', [31, 77, 4], (i) => i.png({ progressive: true }));
  await add('PNG palette', 'png', [50, 20, 3], (i) => i.png({ palette: true }));
  await add('PNG palette with transparency', 'png', [20, 50, 4], (i) => i.png({ palette: true }));
  await add('JPEG baseline', 'jpeg', [123, 45, 3], (i) => i.jpeg());
  await add('JPEG progressive', 'jpeg', [45, 123, 3], (i) => i.jpeg({ progressive: true }));
  await add('JPEG grey', 'jpeg', [17, 19, 1], (i) => i.toColourspace('b-w').jpeg());
  await add('GIF', 'gif', [33, 21, 3], (i) => i.gif(), false);
  await add('WebP lossy', 'webp', [90, 30, 3], (i) => i.webp());
  await add('WebP lossless', 'webp', [30, 90, 3], (i) => i.webp({ lossless: true }));
  await add('WebP with alpha', 'webp', [41, 43, 4], (i) => i.webp());
  await add('TIFF', 'tiff', [29, 31, 3], (i) => i.tiff());
  await add('TIFF grey, LZW', 'tiff', [16, 9, 1], (i) => i.tiff({ compression: 'lzw' }));
  await add('AVIF', 'avif', [48, 32, 3], (i) => i.avif({ effort: 0 }), false);
  samples.push({ name: 'corpus PNG digit', format: 'png', bytes: digitPng(), channels: true });
  samples.push({ name: 'corpus JPEG', format: 'jpeg', bytes: greyJpeg(), channels: true });
});

describe('probeImage reads the size sharp reads, from the header alone', () => {
  it('in every format sharp writes', async () => {
    expect(samples.length).toBeGreaterThan(10);
    for (const sample of samples) {
      const metadata = await sharp(sample.bytes).metadata();
      const probe = probeImage(sample.bytes);
      expect(probe, sample.name).toMatchObject({
        format: sample.format,
        width: metadata.width,
        height: metadata.height,
      });
      if (sample.channels) expect(probe.channels, sample.name).toBe(metadata.channels);
    }
  });

  it('declared channels: grey, RGB, RGBA, palette with tRNS', () => {
    const channels = (name: string) => probeImage(samples.find((s) => s.name === name)!.bytes).channels;
    expect(channels('PNG grey')).toBe(1);
    expect(channels('JPEG grey')).toBe(1);
    expect(channels('PNG RGB')).toBe(3);
    expect(channels('PNG RGBA, interlaced')).toBe(4);
    expect(channels('WebP with alpha')).toBe(4);
  });

  it('BMP, which sharp does not read (header fields written by hand)', () => {
    expect(probeImage(bmpBytes())).toEqual({ format: 'bmp', width: 2, height: 1, channels: 3 });
  });

  it('a 900-megapixel PNG header in a file of a few hundred bytes, without inflating it', () => {
    const bomb = hugePng();
    expect(bomb.length).toBeLessThan(1024);
    const start = performance.now();
    expect(probeImage(bomb)).toEqual({ format: 'png', width: 30000, height: 30000, channels: 1 });
    expect(performance.now() - start).toBeLessThan(50);
  });

  it('accepts bytes after PNG IEND and after JPEG EOI, as decoders do', async () => {
    const trailing = (bytes: Uint8Array) => Uint8Array.from([...bytes, 0, 0, 0x0a]);
    expect(probeImage(trailing(digitPng()))).toMatchObject({ width: 28, height: 28 });
    expect(probeImage(trailing(greyJpeg()))).toMatchObject({ width: 16, height: 16 });
    await expect(sharp(trailing(greyJpeg()), { failOn: 'error' }).raw().toBuffer()).resolves.toBeDefined();
  });

  it('reads views into larger buffers (byteOffset ≠ 0)', () => {
    const tiff = samples.find((s) => s.format === 'tiff')!.bytes;
    const padded = new Uint8Array(tiff.length + 7);
    padded.set(tiff, 3);
    expect(probeImage(padded.subarray(3, 3 + tiff.length))).toEqual(probeImage(tiff));
  });
});

describe('probeImage finds broken files with E_INPUT and details.problem', () => {
  it('every cut of a PNG or JPEG is truncated (no IEND / no EOI)', () => {
    for (const sample of samples.filter((s) => s.format === 'png' || s.format === 'jpeg')) {
      // Each cut point from inside the signature to one byte short.
      for (let length = 8; length < sample.bytes.length; length += Math.max(1, length >> 3)) {
        expect(problemOf(sample.bytes.subarray(0, length)), `${sample.name} cut at ${length}`).toBe(
          'truncated',
        );
      }
      expect(problemOf(sample.bytes.subarray(0, sample.bytes.length - 1))).toBe('truncated');
    }
  });

  it('every cut of any format is an OmnifuseError, never a crash', () => {
    for (const sample of samples) {
      for (let length = 0; length < sample.bytes.length; length += Math.max(1, length >> 2)) {
        const cut = sample.bytes.subarray(0, length);
        try {
          probeImage(cut);
        } catch (error) {
          expect(OmnifuseError.isInstance(error), `${sample.name} cut at ${length}: ${error}`).toBe(true);
        }
      }
    }
  });

  it('truncated WebP, TIFF and AVIF, whose headers declare what is missing', () => {
    for (const format of ['webp', 'avif']) {
      const bytes = samples.find((s) => s.format === format)!.bytes;
      expect(problemOf(bytes.subarray(0, bytes.length - 10)), format).toBe('truncated');
    }
    const tiff = samples.find((s) => s.format === 'tiff')!.bytes;
    // sharp writes the IFD before the last strip: a cut file misses pixel data the IFD points at.
    expect(problemOf(tiff.subarray(0, tiff.length - 20))).toBe('truncated');
    expect(probeFailure(tiff.subarray(0, tiff.length - 1)).reason).toMatch(/TIFF: the file ends inside/);
  });

  it('a flipped CRC in any chunk is corrupt, naming the chunk', () => {
    const error = probeFailure(badCrcPng());
    expect(error.details).toMatchObject({ problem: 'corrupt', format: 'png', chunk: 'IDAT' });
    // An ancillary chunk too (decoders skip those silently; a bad CRC still means damaged bytes).
    const png = digitPng();
    const withText = Uint8Array.from([
      ...png.subarray(0, 33),
      ...pngChunk('tEXt', new TextEncoder().encode('Comment\0ok')),
      ...png.subarray(33),
    ]);
    expect(probeImage(withText)).toMatchObject({ width: 28 });
    withText[33 + 8 + 4] = 0x63; // 'C' → 'c' without updating the CRC
    expect(probeFailure(withText).details).toMatchObject({ problem: 'corrupt', chunk: 'tEXt' });
  });

  it('PNG structure: IHDR first, IDAT before IEND', () => {
    const png = digitPng();
    const ihdrEnd = 33;
    const iend = png.length - 12;
    // IHDR then IEND, no IDAT.
    const noData = Uint8Array.from([...png.subarray(0, ihdrEnd), ...png.subarray(iend)]);
    expect(probeFailure(noData).details).toMatchObject({ problem: 'corrupt' });
    // IDAT first.
    const noHeader = Uint8Array.from([...png.subarray(0, 8), ...png.subarray(ihdrEnd)]);
    expect(probeFailure(noHeader).reason).toMatch(/first chunk is not a 13-byte IHDR/);
  });

  it('JPEG without a frame header, or with a broken segment', () => {
    const jpeg = greyJpeg();
    expect(problemOf(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]))).toBe('corrupt');
    const broken = jpeg.slice();
    broken[2 + 69] = 0x12; // SOI + DQT segment: where the SOF marker's 0xFF should be
    expect(problemOf(broken)).toBe('corrupt');
  });

  it('empty, text, audio and random bytes: which, and at most 8 escaped bytes of them', () => {
    expect(problemOf(new Uint8Array(0))).toBe('empty');
    const text = probeFailure(textBytes());
    expect(text.details).toMatchObject({ problem: 'unknown-format', kind: 'text' });
    expect(text.reason).toBe('not an image: the bytes are text (first bytes "these ar")');
    const wav = probeFailure(wavBytes());
    expect(wav.details).toMatchObject({ problem: 'unknown-format', kind: 'WAV audio' });
    expect(wav.reason).toMatch(/^not an image: the bytes are WAV audio \(first bytes "RIFF.*"\)$/);
    for (const error of [text, wav]) {
      const quoted = /"(.*)"/.exec(error.reason)![1]!;
      expect(quoted.replace(/\\x[0-9a-f]{2}/g, '.').length).toBeLessThanOrEqual(8);
    }
    const random = probeFailure(Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0x7f || 1));
    expect(random.details?.problem).toBe('unknown-format');
  });

  it('SVG is an unsupported format (vector: no pixel size)', () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>');
    expect(probeFailure(svg).details).toMatchObject({ problem: 'unsupported-format', format: 'svg' });
  });
});
