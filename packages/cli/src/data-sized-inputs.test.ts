import type { EncoderV1 } from '@omnifuse/core';
import { createCnn2dEncoder } from '@omnifuse/modality-audio';
import { createCnnEncoder } from '@omnifuse/modality-vision';
import { describe, expect, it } from 'vitest';
import {
  AUDIO_MAX_SAMPLE_RATE,
  audioInputFor,
  IMAGE_FEATURES_BUDGET_BYTES,
  IMAGE_MAX_SIDE,
  imageInputFor,
} from './data-sized-inputs.js';
import type { AudioSample, ImageSample } from './media-sample.js';

const images = (width: number, height: number, grey: boolean): ImageSample => ({
  kind: 'image',
  count: 50,
  width,
  height,
  grey,
});

const clips = (sampleRate: number, median: number, upperQuartile: number): AudioSample => ({
  kind: 'audio',
  count: 50,
  sampleRate,
  medianSeconds: median,
  upperQuartileSeconds: upperQuartile,
  maxSeconds: upperQuartile * 1.5,
});

/** The feature shape the encoder itself gives for its options (fitted on no values). */
async function featureShape(encoder: EncoderV1): Promise<readonly number[]> {
  const state = await encoder.fit([], { field: 'x', readMedia: async () => new Uint8Array() });
  return encoder.featureSpec(state).shape;
}

describe('imageInputFor', () => {
  it('keeps a small image its own size, grey as one channel, with a LeNet that pools it to a pixel', async () => {
    const input = imageInputFor(images(28, 28, true), 5000);
    expect(input.options).toEqual({
      preset: 'lenet',
      extraBlocks: 3,
      preprocess: { size: { width: 28, height: 28 }, channels: 1 },
    });
    expect(input.featureValues).toBe(28 * 28);
    expect(input.why).toContain('their own size, 28×28×1');
    expect(await featureShape(createCnnEncoder(input.options))).toEqual([28, 28, 1]);
  });

  it('caps a large image at the longest side, keeping its aspect and colour', async () => {
    const input = imageInputFor(images(1024, 768, false), 1000);
    expect(input.options.preprocess).toEqual({ size: { width: IMAGE_MAX_SIDE, height: 96 }, channels: 3 });
    expect(input.options.extraBlocks).toBe(5);
    expect(input.why).toMatch(/scaled to 128×96×3 \(longer side at most 128 px\)/);
    expect(await featureShape(createCnnEncoder(input.options))).toEqual([96, 128, 3]);
  });

  it('shrinks further when every record at the cap would not fit the memory budget', () => {
    const input = imageInputFor(images(256, 256, false), 50_000);
    const { size, channels } = input.options.preprocess as {
      size: { width: number; height: number };
      channels: number;
    };
    expect(size.width).toBe(size.height);
    expect(size.width).toBeLessThan(IMAGE_MAX_SIDE);
    expect(50_000 * size.width * size.height * channels * 4).toBeLessThanOrEqual(IMAGE_FEATURES_BUDGET_BYTES);
    expect(input.why).toContain('50,000 images');
  });

  it('scales a tiny image up to a size the LeNet can pool, and has a cheap input without a sample', () => {
    expect(imageInputFor(images(4, 4, true), 10).options.preprocess).toEqual({
      size: { width: 8, height: 8 },
      channels: 1,
    });
    const unsampled = imageInputFor(undefined, 10);
    expect(unsampled.options.preprocess).toEqual({ size: { width: 64, height: 64 }, channels: 3 });
    expect(unsampled.why).toContain("set preprocess.size to the images' size");
  });
});

describe('audioInputFor', () => {
  it("takes the clips' sample rate and the length 3 clips in 4 fit in: 20 MFCCs every 16 ms", async () => {
    const input = audioInputFor(clips(8000, 0.74, 0.86));
    expect(input.options.preprocess).toEqual({
      sampleRate: 8000,
      duration: 0.9,
      crop: 'centre',
      gain: { mode: 'peak', target: 0.9 },
      features: { kind: 'mfcc', nFft: 512, hopLength: 128, nMels: 40, nMfcc: 20, cmvn: true },
    });
    expect(input.options.extraBlocks).toBe(3);
    // 0.9 s at 8 kHz, one centred frame every 128 samples.
    expect(await featureShape(createCnn2dEncoder(input.options))).toEqual([57, 20, 1]);
    expect(input.featureValues).toBe(57 * 20);
    expect(input.why).toMatch(
      /^8 kHz clips of 0\.74 s median \(50 sampled\): 20 MFCCs at 8 kHz over 0\.9 s \(57 frames/,
    );
  });

  it('resamples fast rates down to 16 kHz at the same frame rate, and bounds the length', async () => {
    const input = audioInputFor(clips(44_100, 30, 42));
    const preprocess = input.options.preprocess as { sampleRate: number; duration: number; features: object };
    expect(preprocess.sampleRate).toBe(AUDIO_MAX_SAMPLE_RATE);
    expect(preprocess.duration).toBe(10);
    expect(preprocess.features).toMatchObject({ nFft: 1024, hopLength: 256 });
    expect(await featureShape(createCnn2dEncoder(input.options))).toEqual([626, 20, 1]);
    // A short clip still leaves the CNN something to pool.
    const short = audioInputFor(clips(8000, 0.05, 0.08));
    expect((short.options.preprocess as { duration: number }).duration).toBe(0.2);
    expect(await featureShape(createCnn2dEncoder(short.options))).toEqual([13, 20, 1]);
    expect(short.options.extraBlocks).toBe(2);
  });
});
