import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { type MediaRef, mediaReaderFor, OmnifuseError, toMediaRef } from '@omnifuse/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImagePreprocessor } from './image-preprocessor.js';

let dir: string;
const preprocessor = createImagePreprocessor({ size: { width: 32, height: 32 }, maxPixels: 1_000_000 });
const where = { record: 'img-7', field: 'photo' };

async function failure(ref: MediaRef, readMedia = mediaReaderFor(where)): Promise<OmnifuseError> {
  try {
    await preprocessor.preprocess(ref, { ...where, readMedia });
  } catch (error) {
    expect(OmnifuseError.isInstance(error), String(error)).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error('expected preprocess to fail');
}

async function fileFailure(name: string): Promise<OmnifuseError> {
  const error = await failure(toMediaRef(name, dir));
  expect(error).toMatchObject({
    code: 'E_INPUT',
    record: 'img-7',
    field: 'photo',
    file: path.join(dir, name),
  });
  expect(error.message).toContain('record "img-7"');
  expect(error.message).toContain(path.join(dir, name));
  return error;
}

/** A real, decodable greyscale PNG of `width × height` black pixels (deflated zeros: tiny file). */
function blackPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit grey, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc((width + 1) * height), { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-vision-bad-'));
  const pixels = Uint8Array.from({ length: 256 * 256 * 3 }, (_, i) => (i * 7 + (i >> 9)) & 255);
  const jpeg = await sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } })
    .jpeg()
    .toBuffer();
  writeFileSync(path.join(dir, 'good.jpg'), jpeg);
  writeFileSync(path.join(dir, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  const png = await sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } })
    .png()
    .toBuffer();
  writeFileSync(path.join(dir, 'truncated.png'), png.subarray(0, Math.floor(png.length * 0.6)));
  writeFileSync(
    path.join(dir, 'random.jpg'),
    Uint8Array.from({ length: 4096 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 24) & 255),
  );
  writeFileSync(path.join(dir, 'empty.png'), new Uint8Array(0));
  writeFileSync(path.join(dir, 'notes.png'), 'these are my holiday notes, not a picture\n');
  writeFileSync(path.join(dir, 'bomb.png'), blackPng(10_000, 10_000));
  // A 2×1 24-bit BMP: sharp's prebuilt libvips has no BMP loader.
  const bmp = Buffer.alloc(62);
  bmp.write('BM', 0, 'ascii');
  bmp.writeUInt32LE(62, 2);
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(2, 18);
  bmp.writeInt32LE(1, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  writeFileSync(path.join(dir, 'old.bmp'), bmp);
  writeFileSync(
    path.join(dir, 'vector.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('preprocess refuses bad image files with E_INPUT naming record, field and file', () => {
  it('decodes the intact JPEG that the broken files are cut from', async () => {
    const feature = await preprocessor.preprocess(toMediaRef('good.jpg', dir), {
      ...where,
      readMedia: mediaReaderFor(where),
    });
    expect(feature.shape).toEqual([32, 32, 3]);
  });

  it('truncated JPEG (which sharp would otherwise decode half grey)', async () => {
    const error = await fileFailure('truncated.jpg');
    expect(error.message).toMatch(/truncated or corrupt JPEG/);
    expect(error.details?.decoder).toMatch(/premature end/i);
    // The same bytes decode "successfully" with failOn none: the check is what catches them.
    const bytes = readFileSync(path.join(dir, 'truncated.jpg'));
    await expect(sharp(bytes, { failOn: 'none' }).raw().toBuffer()).resolves.toBeInstanceOf(Buffer);
  });

  it('truncated PNG', async () => {
    expect((await fileFailure('truncated.png')).message).toMatch(/truncated or corrupt PNG/);
  });

  it('random bytes, described by at most 8 escaped bytes', async () => {
    const error = await fileFailure('random.jpg');
    expect(error.message).toMatch(/unsupported image format/);
    // Exactly 8 bytes, each printable ASCII or \xNN.
    expect(error.found).toMatch(/^unrecognised bytes, starting "(?:[ -~]|\\x[0-9a-f]{2}){8}"$/);
  });

  it('zero-byte file', async () => {
    expect((await fileFailure('empty.png')).message).toMatch(/empty file/);
  });

  it('text file named .png', async () => {
    const error = await fileFailure('notes.png');
    expect(error.message).toMatch(/unsupported image format/);
    // What the bytes are and at most 8 of them, escaped: never the file's contents.
    expect(error.found).toBe('text, starting "these ar"');
    expect(JSON.stringify(error)).not.toContain('holiday');
    expect(error.message).not.toContain('holiday');
  });

  it('BMP and SVG, which are not decoded', async () => {
    expect((await fileFailure('old.bmp')).message).toMatch(/unsupported image format: BMP/);
    expect((await fileFailure('vector.svg')).message).toMatch(/unsupported image format: SVG/);
  });

  it('missing file, through the dataset reader and through a bare fs reader', async () => {
    const missing = await fileFailure('missing.png');
    expect(missing.message).toMatch(/not found/);
    const bare = await failure(toMediaRef('missing.png', dir), async (ref) =>
      readFile((ref as { path: string }).path),
    );
    expect(bare).toMatchObject({
      code: 'E_INPUT',
      record: 'img-7',
      field: 'photo',
      file: path.join(dir, 'missing.png'),
    });
    expect(bare.message).toMatch(/image file not found/);
  });

  it('a 10000×10000 pixel bomb, quickly, with its pixel count', async () => {
    const start = performance.now();
    const error = await fileFailure('bomb.png');
    expect(performance.now() - start).toBeLessThan(500);
    expect(error.message).toMatch(
      /image has 100000000 pixels \(10000×10000\), more than maxPixels \(1000000\)/,
    );
    expect(error.found).toBe(100_000_000);
  });

  it('names no file for inline bytes, and still the record and field', async () => {
    const error = await failure({ kind: 'inline', bytes: new Uint8Array([1, 2, 3, 4, 5]) });
    expect(error).toMatchObject({ code: 'E_INPUT', record: 'img-7', field: 'photo', file: undefined });
  });

  it('a value that is neither media nor pixels', async () => {
    const error = await failure('photo.png' as unknown as MediaRef);
    expect(error).toMatchObject({ code: 'E_INPUT', record: 'img-7', field: 'photo', found: 'string' });
  });
});

describe('preprocess refuses bad decoded pixels with E_INPUT', () => {
  const bad: [string, unknown, RegExp][] = [
    [
      'zero width',
      { width: 0, height: 2, channels: 1, data: new Uint8Array(0) },
      /width must be a positive integer/,
    ],
    ['fractional height', { width: 2, height: 1.5, channels: 1, data: new Uint8Array(3) }, /height must be/],
    [
      '2 channels',
      { width: 2, height: 2, channels: 2, data: new Uint8Array(8) },
      /1 \(grey\), 3 \(RGB\) or 4/,
    ],
    ['short data', { width: 4, height: 4, channels: 3, data: new Uint8Array(47) }, /has 47 values/],
    ['plain array', { width: 1, height: 1, channels: 1, data: [3] }, /must be a Uint8Array/],
    [
      'NaN',
      { width: 2, height: 1, channels: 1, data: new Float32Array([0.5, Number.NaN]) },
      /non-finite value at element 1/,
    ],
    ['0–255 floats', { width: 1, height: 1, channels: 1, data: new Float32Array([200]) }, /outside 0–1/],
    [
      'too many pixels',
      { width: 2000, height: 1000, channels: 1, data: new Uint8Array(2e6) },
      /more than maxPixels/,
    ],
  ];
  it.each(bad)('%s', async (_, raw, message) => {
    const error = await failure(raw as MediaRef);
    expect(error).toMatchObject({ code: 'E_INPUT', record: 'img-7', field: 'photo' });
    expect(error.message).toMatch(message);
  });
});
