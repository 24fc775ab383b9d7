import type { AudioSample, ImageSample } from './media-sample.js';

/** An encoder choice sized to the data, with the reason for `init` to print. */
export interface SizedInput {
  readonly encoder: string;
  readonly options: Record<string, unknown>;
  readonly why: string;
  /** Values per example of the feature the options give (what the model's input holds). */
  readonly featureValues: number;
}

/**
 * Longest image side init keeps. Images this small or smaller keep their own size; larger ones are
 * scaled down, aspect kept. A CNN trained from scratch on a few thousand images gains little from
 * more pixels (CIFAR is 32 px, Tiny ImageNet 64), while time and memory grow with every one.
 */
export const IMAGE_MAX_SIDE = 128;
/** Smallest image side: a LeNet needs a few pixels to pool. Smaller images are scaled up to it. */
export const IMAGE_MIN_SIDE = 8;
/**
 * Memory the features of one image input may take, all records together, as float32 tensors (how
 * training holds them): 5,000 images at 224×224×3 take 3 GB and overflow the WebAssembly heap.
 */
export const IMAGE_FEATURES_BUDGET_BYTES = 512 * 1024 ** 2;

/** Highest audio rate init keeps: speech and most everyday sounds need no more, and the FFT costs less. */
export const AUDIO_MAX_SAMPLE_RATE = 16_000;
/** One feature frame every 16 ms (128 samples at 8 kHz, as the demo uses), at any sample rate. */
export const AUDIO_HOP_SECONDS = 0.016;
/** Longest clip length init gives the input; longer clips are cropped around their centre. */
export const AUDIO_MAX_SECONDS = 10;
export const AUDIO_MIN_SECONDS = 0.2;
/** 20 MFCCs of 40 mel bands: the demo's feature, ~20× fewer values than a 112×112 spectrogram. */
export const AUDIO_MFCC = { nMels: 40, nMfcc: 20 } as const;

/** Used when no image header could be read: small, colour, cheap. */
const FALLBACK_IMAGE: ImageSample = { kind: 'image', count: 0, width: 64, height: 64, grey: false };
/** Used when no audio header could be read. */
const FALLBACK_AUDIO: AudioSample = {
  kind: 'audio',
  count: 0,
  sampleRate: AUDIO_MAX_SAMPLE_RATE,
  medianSeconds: 1,
  upperQuartileSeconds: 1,
  maxSeconds: 1,
};

/**
 * `vision:cnn` for images like the sample: their own size when the longer side is at most
 * {@link IMAGE_MAX_SIDE} px (28×28 stays 28×28), else scaled so it is, aspect kept; smaller still
 * when `records` images at that size would pass {@link IMAGE_FEATURES_BUDGET_BYTES}; one channel
 * when every sampled header says grey. The LeNet preset gets one block per halving the image
 * allows (at most 6), so its last feature map is a few pixels: LeNet(1, 6, 3) on 28×28, as the demo.
 */
export function imageInputFor(sample: ImageSample | undefined, records: number): SizedInput {
  const images = sample ?? FALLBACK_IMAGE;
  const channels = images.grey ? 1 : 3;
  const longer = Math.max(images.width, images.height);
  let scale = Math.min(1, IMAGE_MAX_SIDE / longer);
  const bytes = records * (images.width * scale) * (images.height * scale) * channels * 4;
  const overBudget = bytes > IMAGE_FEATURES_BUDGET_BYTES;
  if (overBudget) scale *= Math.sqrt(IMAGE_FEATURES_BUDGET_BYTES / bytes);
  const side = (n: number) => Math.max(IMAGE_MIN_SIDE, Math.floor(n * scale));
  const width = side(images.width);
  const height = side(images.height);
  const extraBlocks = Math.min(6, Math.floor(Math.log2(Math.min(width, height)))) - 1;

  const found = sample
    ? `${images.width}×${images.height} ${images.grey ? 'grey' : 'colour'} images (${sample.count} sampled)`
    : 'images (none sampled)';
  const sized = !sample
    ? `${width}×${height}×${channels} (set preprocess.size to the images' size)`
    : width === images.width && height === images.height
      ? `their own size, ${width}×${height}×${channels}`
      : `scaled to ${width}×${height}×${channels} (${
          overBudget
            ? `so ${records.toLocaleString('en-US')} images' features fit in ${IMAGE_FEATURES_BUDGET_BYTES / 1024 ** 2} MiB`
            : `longer side at most ${IMAGE_MAX_SIDE} px`
        })`;
  return {
    encoder: 'vision:cnn',
    options: {
      preset: 'lenet',
      extraBlocks,
      preprocess: { size: { width, height }, channels },
    },
    why: `${found}: a LeNet CNN (6 filters, ${extraBlocks} more blocks) trained from scratch on ${sized}`,
    featureValues: width * height * channels,
  };
}

/**
 * `audio:cnn2d` for clips like the sample: resampled to their own rate up to
 * {@link AUDIO_MAX_SAMPLE_RATE}; cropped or padded to the upper quartile of their lengths (3 clips
 * in 4 fit whole; the median would crop half of them), rounded up to 0.1 s, within
 * {@link AUDIO_MIN_SECONDS}–{@link AUDIO_MAX_SECONDS}; 20 MFCCs every 16 ms, each clip's
 * coefficients normalised to zero mean and unit variance; then LeNet(1, 6, n) with one block per
 * halving the 20 coefficients allow. That is the demo's audio input, ~20× cheaper per clip than
 * `audio:cnn2d`'s default 112×112 spectrogram. (The MultiBench spectrogram generalised better to
 * unseen speakers in the accuracy-parity work, 81.1% against 73.6% on FSDD, at that cost; a config
 * can ask for it.)
 */
export function audioInputFor(sample: AudioSample | undefined): SizedInput {
  const clips = sample ?? FALLBACK_AUDIO;
  const sampleRate = Math.min(clips.sampleRate, AUDIO_MAX_SAMPLE_RATE);
  const hopLength = Math.round(AUDIO_HOP_SECONDS * sampleRate);
  const nFft = 2 ** Math.round(Math.log2(4 * hopLength));
  const typical = Number.isFinite(clips.upperQuartileSeconds) ? clips.upperQuartileSeconds : 1;
  const duration = Math.min(
    AUDIO_MAX_SECONDS,
    Math.max(AUDIO_MIN_SECONDS, Math.ceil(typical * 10 - 1e-9) / 10),
  );
  // Centred frames: one every hop, the first on sample 0.
  const frames = 1 + Math.floor(Math.round(duration * sampleRate) / hopLength);
  const extraBlocks = Math.min(4, Math.floor(Math.log2(Math.min(frames, AUDIO_MFCC.nMfcc)))) - 1;

  const found = sample
    ? `${kHz(clips.sampleRate)} clips of ${clips.medianSeconds.toFixed(2)} s median (${sample.count} sampled)`
    : 'audio (none sampled)';
  return {
    encoder: 'audio:cnn2d',
    options: {
      preprocess: {
        sampleRate,
        duration,
        crop: 'centre',
        gain: { mode: 'peak', target: 0.9 },
        features: { kind: 'mfcc', nFft, hopLength, ...AUDIO_MFCC, cmvn: true },
      },
      baseFilters: 6,
      extraBlocks,
      firstKernel: 5,
      head: 'flatten',
    },
    why:
      `${found}: ${AUDIO_MFCC.nMfcc} MFCCs at ${kHz(sampleRate)} over ${duration} s ` +
      `(${frames} frames${sample ? '; 3 clips in 4 fit whole' : "; set preprocess.duration to the clips' length"}), ` +
      `then a small 2-D CNN (LeNet, 6 filters, ${extraBlocks} more blocks)`,
    featureValues: frames * AUDIO_MFCC.nMfcc,
  };
}

function kHz(rate: number): string {
  return `${Number((rate / 1000).toFixed(2))} kHz`;
}
