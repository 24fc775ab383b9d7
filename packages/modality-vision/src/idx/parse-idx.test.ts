import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { OmnifuseError } from '@omnifuse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idxImages, idxLabels } from './idx-images.js';
import { parseIdx } from './parse-idx.js';
import { readIdxFile } from './read-idx-file.js';

/** An IDX file: header for `dims` and type `code`, then `body` as given (already big-endian). */
function idxBytes(code: number, dims: number[], body: number[] | Uint8Array): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.set([0, 0, code, dims.length]);
  dims.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i);
  });
  return new Uint8Array(Buffer.concat([header, Buffer.from(body)]));
}

function errorOf(run: () => unknown): OmnifuseError {
  try {
    run();
  } catch (error) {
    expect(OmnifuseError.isInstance(error)).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error('expected an error');
}

describe('parseIdx', () => {
  it('views uint8 data in place', () => {
    const bytes = idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 250]);
    const idx = parseIdx(bytes);
    expect(idx).toMatchObject({ dims: [2, 3], dtype: 'uint8' });
    expect(Array.from(idx.data)).toEqual([1, 2, 3, 4, 5, 250]);
    expect(idx.data.buffer).toBe(bytes.buffer);
  });

  it('reads every element type big-endian', () => {
    /** Big-endian bytes of `values` written with a Buffer method of `width` bytes. */
    const be = (
      method: 'writeInt16BE' | 'writeInt32BE' | 'writeFloatBE' | 'writeDoubleBE',
      width: number,
      values: number[],
    ) => {
      const b = Buffer.alloc(width * values.length);
      values.forEach((v, i) => {
        b[method](v, i * width);
      });
      return [...b];
    };
    const cases = [
      [0x09, 'int8', [0xff, 0x7f], [-1, 127]],
      [0x0b, 'int16', be('writeInt16BE', 2, [-300, 513]), [-300, 513]],
      [0x0c, 'int32', be('writeInt32BE', 4, [-70000, 1 << 30]), [-70000, 1 << 30]],
      [0x0d, 'float32', be('writeFloatBE', 4, [1.5, -0.25]), [1.5, -0.25]],
      [0x0e, 'float64', be('writeDoubleBE', 8, [Math.PI, -1e300]), [Math.PI, -1e300]],
    ] as const;
    for (const [code, dtype, body, values] of cases) {
      const idx = parseIdx(idxBytes(code, [2], [...body]));
      expect(idx.dtype).toBe(dtype);
      expect(Array.from(idx.data)).toEqual(values);
    }
  });

  it('refuses a bad magic number, an unknown type code, and truncated or overlong data, naming the file', () => {
    const file = { file: '/data/x-idx1-ubyte' };
    expect(errorOf(() => parseIdx(new Uint8Array([1, 0, 8, 1]), file))).toMatchObject({
      code: 'E_INPUT',
      file: '/data/x-idx1-ubyte',
    });
    expect(errorOf(() => parseIdx(idxBytes(0x0a, [1], [0]), file)).message).toMatch(/type code 0x0a/);
    expect(errorOf(() => parseIdx(idxBytes(0x08, [3, 4], []).subarray(0, 9), file)).message).toMatch(
      /truncated inside its header/,
    );
    const short = errorOf(() => parseIdx(idxBytes(0x0c, [3], [0, 0, 0, 1, 0, 0]), file));
    expect(short.message).toMatch(/truncated: dimensions \[3\] of int32 need 12 data bytes, found 6/);
    expect(short.message).toContain('/data/x-idx1-ubyte');
    expect(errorOf(() => parseIdx(idxBytes(0x08, [2], [1, 2, 3]), file)).message).toMatch(
      /1 bytes after the data/,
    );
    expect(errorOf(() => parseIdx(idxBytes(0x08, [], []), file)).message).toMatch(/no dimensions/);
  });
});

describe('idxImages and idxLabels', () => {
  it('gives image views and label numbers', () => {
    const images = idxImages(parseIdx(idxBytes(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])));
    expect(images).toHaveLength(2);
    expect(images[1]).toMatchObject({ width: 3, height: 2, channels: 1 });
    expect(Array.from(images[1]!.data)).toEqual([6, 7, 8, 9, 10, 11]);
    const rgb = idxImages(parseIdx(idxBytes(0x08, [1, 1, 2, 3], [1, 2, 3, 4, 5, 6])));
    expect(rgb[0]).toMatchObject({ width: 2, height: 1, channels: 3 });
    expect(idxLabels(parseIdx(idxBytes(0x08, [3], [7, 2, 1])))).toEqual([7, 2, 1]);
  });

  it('refuses tensors of the wrong shape or type', () => {
    expect(() => idxImages(parseIdx(idxBytes(0x08, [6], [1, 2, 3, 4, 5, 6])))).toThrow(/uint8 tensor/);
    expect(() => idxImages(parseIdx(idxBytes(0x09, [1, 1, 1], [1])))).toThrow(/uint8 tensor/);
    expect(() => idxImages(parseIdx(idxBytes(0x08, [1, 1, 1, 2], [1, 2])))).toThrow(/uint8 tensor/);
    expect(() => idxLabels(parseIdx(idxBytes(0x08, [1, 1], [1])))).toThrow(/one-dimensional integer/);
  });
});

describe('readIdxFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-idx-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads plain and gzipped files, and names the file when either is damaged or missing', async () => {
    const bytes = idxBytes(0x08, [4], [9, 8, 7, 6]);
    writeFileSync(path.join(dir, 'plain-idx1-ubyte'), bytes);
    writeFileSync(path.join(dir, 'zipped-idx1-ubyte.gz'), gzipSync(bytes));
    const gz = gzipSync(idxBytes(0x08, [1000], new Uint8Array(1000).fill(3)));
    writeFileSync(path.join(dir, 'cut-idx1-ubyte.gz'), gz.subarray(0, gz.length - 12));
    writeFileSync(path.join(dir, 'short-idx1-ubyte'), bytes.subarray(0, 10));
    for (const name of ['plain-idx1-ubyte', 'zipped-idx1-ubyte.gz']) {
      expect(idxLabels(await readIdxFile(path.join(dir, name)))).toEqual([9, 8, 7, 6]);
    }
    for (const [name, message] of [
      ['cut-idx1-ubyte.gz', /truncated or corrupt gzip/],
      ['short-idx1-ubyte', /truncated/],
      ['missing-idx1-ubyte', /not found/],
    ] as const) {
      const file = path.join(dir, name);
      await expect(readIdxFile(file)).rejects.toMatchObject({
        code: 'E_INPUT',
        file,
        message: expect.stringMatching(message),
      });
    }
  });
});
