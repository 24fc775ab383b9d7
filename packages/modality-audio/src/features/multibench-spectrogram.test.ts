// MultiBench's AV-MNIST audio feature (bench/accuracy-parity/spectrogram.py) against the fixture
// that bench/accuracy-parity/make_spectrogram_fixture.py writes: three 8 kHz clips (padded, cropped,
// odd crop), their log1p(10 |STFT|) [112, 112] spectrograms and the global mean / population std.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, type MediaRef, OmnifuseError, parseModelSpec } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import { wavWithTruncatedHeader } from '@omnifuse/test-utils/audio-corpus';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../decode/decode-wav.js';
import { encodeWav } from '../decode/encode-wav.js';
import { cnn2dEncoderPlugin, createCnn2dEncoder } from '../encoders/cnn2d.js';
import { strideIndices } from '../encoders/standardize.js';
import { BAD_AUDIO_INPUTS } from '../encoders/test-samples.js';
import { fitDuration } from '../signal/fit-duration.js';
import { createFeatureExtractor, type FeatureExtractorOptions } from './feature-extractor.js';

const DIR = path.resolve(import.meta.dirname, 'fixtures/multibench-spectrogram');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  settings: { sampleRate: number; length: number; nFft: number; frames: number; bins: number; log1p: number };
  clips: { file: string; samples: number }[];
  mean: number;
  std: number;
};
const { settings } = expected;
const SIZE = settings.frames * settings.bins;

/** The fixture's float32 little-endian [clips, frames, bins] spectrograms, one array per clip. */
const reference: Float32Array[] = (() => {
  const bytes = readFileSync(path.join(DIR, 'spectrogram.bin'));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(bytes.byteLength).toBe(4 * expected.clips.length * SIZE);
  return expected.clips.map((_, c) =>
    Float32Array.from({ length: SIZE }, (_, i) => view.getFloat32(4 * (c * SIZE + i), true)),
  );
})();

const FEATURES = {
  kind: 'magnitude',
  nFft: settings.nFft,
  frames: settings.frames,
  bins: settings.bins,
  log1p: settings.log1p,
} as const;
const PREPROCESS = {
  sampleRate: settings.sampleRate,
  duration: settings.length / settings.sampleRate,
  crop: 'centre',
  standardize: 'global',
  features: FEATURES,
} as const;

const refs: MediaRef[] = expected.clips.map(({ file }) => ({
  kind: 'file',
  path: path.join(DIR, file),
  relativePath: file,
}));
const readMedia = async (ref: MediaRef) =>
  ref.kind === 'inline' ? ref.bytes : new Uint8Array(readFileSync(ref.path));
const fitContext = { field: 'audio', readMedia, records: refs.map((_, i) => `clip${i}`) };

function maxAbsError(actual: ArrayLike<number>, wanted: ArrayLike<number>): number {
  expect(actual.length).toBe(wanted.length);
  let max = 0;
  for (let i = 0; i < wanted.length; i++) max = Math.max(max, Math.abs(actual[i]! - wanted[i]!));
  return max;
}

function catchError(fn: () => unknown): OmnifuseError {
  try {
    fn();
  } catch (error) {
    expect(OmnifuseError.isInstance(error)).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error('expected an OmnifuseError');
}

describe("MultiBench's AV-MNIST spectrogram", () => {
  it('matches spectrogram.py clip by clip (bare extractor)', () => {
    const extractor = createFeatureExtractor({ sampleRate: settings.sampleRate, ...FEATURES });
    expect(extractor.dims).toBe(settings.bins);
    expect(extractor.frames(settings.length)).toBe(settings.frames);
    for (const [c, clip] of expected.clips.entries()) {
      const decoded = decodeWav(readFileSync(path.join(DIR, clip.file)));
      expect(decoded.sampleRate).toBe(settings.sampleRate);
      expect(decoded.samples[0]!.length).toBe(clip.samples);
      const samples = fitDuration(decoded.samples[0]!, settings.length, { mode: 'centre' });
      const features = extractor.extract(samples);
      expect([features.frames, features.dims]).toEqual([settings.frames, settings.bins]);
      expect(maxAbsError(features.data, reference[c]!), clip.file).toBeLessThanOrEqual(1e-5);
      // The float64 values round to the float32 ones.
      expect(Float32Array.from(extractor.extractFloat64(samples).data)).toEqual(features.data);
    }
  });

  it('fits the global mean and std and standardises in audio:cnn2d (LeNet(1, 6, 5))', async () => {
    const encoder = createCnn2dEncoder({ preprocess: PREPROCESS });
    const state = await encoder.fit(refs, fitContext);
    expect(state.featureSpec).toEqual({ dtype: 'float32', shape: [settings.frames, settings.bins, 1] });
    expect(encoder.featureSpec(state).shape).toEqual([112, 112, 1]);
    const stats = state.standardize!;
    expect(stats).toMatchObject({ clips: 3, skipped: 0 });
    expect(Math.abs(stats.mean - expected.mean) / expected.mean).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(stats.std - expected.std) / expected.std).toBeLessThanOrEqual(1e-9);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    for (const [c, ref] of refs.entries()) {
      const feature = await encoder.preprocess(ref, state, { record: c, field: 'audio', readMedia });
      expect(feature.shape).toEqual([112, 112, 1]);
      const wanted = Array.from(reference[c]!, (v) => (v - expected.mean) / expected.std);
      expect(maxAbsError(feature.data as Float32Array, wanted)).toBeLessThanOrEqual(1e-5 / expected.std);
    }
  });

  it('skips and counts clips that cannot be decoded, and refuses to fit on none', async () => {
    const broken: MediaRef[] = [
      { kind: 'inline', bytes: wavWithTruncatedHeader() },
      { kind: 'inline', bytes: Uint8Array.from({ length: 64 }, (_, i) => (i * 31) % 256) },
    ];
    const encoder = createCnn2dEncoder({ preprocess: PREPROCESS });
    const values = [refs[0]!, broken[0]!, refs[1]!, broken[1]!, refs[2]!];
    const state = await encoder.fit(values, { field: 'audio', readMedia });
    expect(state.standardize).toMatchObject({ clips: 3, skipped: 2 });
    expect(Math.abs(state.standardize!.mean - expected.mean) / expected.mean).toBeLessThanOrEqual(1e-9);
    // preprocess still reports the broken clip, for the dataset's onInvalid policy.
    await expect(
      encoder.preprocess(broken[0]!, state, { record: 'b0', field: 'audio', readMedia }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidInput, record: 'b0', field: 'audio' });

    const none = await Promise.resolve(
      encoder.fit(broken, { field: 'audio', readMedia, records: ['b0', 'b1'] }),
    ).catch((e: unknown) => e as OmnifuseError);
    expect(OmnifuseError.isInstance(none)).toBe(true);
    expect(none).toMatchObject({
      code: ErrorCode.InvalidInput,
      plugin: 'audio:cnn2d',
      step: 'fit',
      field: 'audio',
      path: 'preprocess.standardize',
      found: { values: 2, skipped: 2 },
      details: { firstFailure: { record: 'b0' } },
    });
    await expect(encoder.fit([], { field: 'audio', readMedia })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      path: 'preprocess.standardize',
    });
  });

  it('is what the README model spec asks for', async () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf("## MultiBench's AV-MNIST spectrogram"));
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    const spec = parseModelSpec(JSON.parse(json!));
    expect(spec.inputs[0]!.encoder).toBe('audio:cnn2d');
    const encoder = createCnn2dEncoder(spec.inputs[0]!.options);
    expect(encoder.options.preprocess).toEqual(
      createCnn2dEncoder({ preprocess: PREPROCESS }).options.preprocess,
    );
    const state = await encoder.fit(refs, fitContext);
    expect(state.featureSpec.shape).toEqual([112, 112, 1]);
  });

  it('picks at most 10,000 fit clips, evenly strided', () => {
    expect(strideIndices(3, 10_000)).toEqual([0, 1, 2]);
    expect(strideIndices(10, 4)).toEqual([0, 2, 5, 7]);
    const picked = strideIndices(25_000, 10_000);
    expect(picked).toHaveLength(10_000);
    expect(new Set(picked).size).toBe(10_000);
    expect([picked[0], picked[1], picked[2], picked.at(-1)]).toEqual([0, 2, 5, 24_997]);
  });

  it('works from a state without standardize (bundles from before the option)', async () => {
    const plain = createCnn2dEncoder({ preprocess: { ...PREPROCESS, standardize: undefined } });
    expect(plain.options.preprocess.standardize).toBe('none');
    const oldState = { featureSpec: { dtype: 'float32', shape: [112, 112, 1] } } as const;
    const feature = await plain.preprocess(refs[0]!, oldState, { record: 0, field: 'audio', readMedia });
    expect(maxAbsError(feature.data as Float32Array, reference[0]!)).toBeLessThanOrEqual(1e-5);
    expect(await plain.fit(refs, fitContext)).toEqual(oldState);

    // A 'global' encoder given a state without statistics (or the reverse) refuses, naming why.
    const global = createCnn2dEncoder({ preprocess: PREPROCESS });
    await expect(
      global.preprocess(refs[0]!, oldState, { record: 7, field: 'audio', readMedia }),
    ).rejects.toMatchObject({ code: ErrorCode.Bundle, record: 7, path: 'preprocess.standardize' });
    const fitted = await global.fit(refs, fitContext);
    await expect(
      plain.preprocess(refs[0]!, fitted, { record: 7, field: 'audio', readMedia }),
    ).rejects.toMatchObject({ code: ErrorCode.Bundle, path: 'preprocess.standardize' });
  });

  it('standardises with std 0 by centring only', async () => {
    const silent: MediaRef = { kind: 'inline', bytes: encodeWav(new Float32Array(4000), 8000) };
    const encoder = createCnn2dEncoder({ preprocess: PREPROCESS });
    const state = await encoder.fit([silent], { field: 'audio', readMedia });
    expect(state.standardize).toMatchObject({ mean: 0, std: 0, clips: 1 });
    const feature = await encoder.preprocess(silent, state, { record: 0, field: 'audio', readMedia });
    expect((feature.data as Float32Array).every((v) => v === 0)).toBe(true);
  });
});

// The v1 contract with fitted statistics in the state (JSON, deterministic, bad inputs), on a small net.
describeEncoderConformance('audio:cnn2d (MultiBench spectrogram, standardize global)', {
  plugin: cnn2dEncoderPlugin,
  options: {
    preprocess: PREPROCESS,
    augment: { timeMasks: { count: 1, maxWidth: 10 }, frequencyMasks: { count: 1, maxWidth: 10 } },
    baseFilters: 2,
    extraBlocks: 2,
    head: 'globalAverage',
  },
  samples: refs,
  readMedia,
  badInputs: BAD_AUDIO_INPUTS,
  invalidOptions: [
    { preprocess: { ...PREPROCESS, standardize: 'batch' } },
    { preprocess: { ...PREPROCESS, features: { ...FEATURES, center: true } } },
  ],
});

describe('frames, bins and log1p options', () => {
  const base = { sampleRate: 8000, kind: 'magnitude', nFft: 222 } as const;
  const optionError = (options: FeatureExtractorOptions) => catchError(() => createFeatureExtractor(options));

  it('refuse conflicting or out-of-range settings, naming the option', () => {
    const cases: [FeatureExtractorOptions, string][] = [
      [{ ...base, frames: 112, hopLength: 70 }, 'hopLength'],
      [{ ...base, frames: 112, center: true }, 'center'],
      [{ ...base, bins: 113 }, 'bins'],
      [{ ...base, kind: 'mfcc', nFft: 256, log1p: 10 }, 'log1p'],
      [{ ...base, kind: 'logmel', nFft: 256, frames: 100 }, 'frames'],
      [{ ...base, kind: 'logmel', nFft: 256, bins: 10 }, 'bins'],
    ];
    for (const [options, field] of cases) {
      const error = optionError(options);
      expect(error.code, JSON.stringify(options)).toBe(ErrorCode.InvalidOptions);
      expect(error.field ?? error.path, JSON.stringify(options)).toBe(field);
    }
    for (const options of [
      { ...base, frames: 1 },
      { ...base, bins: 0 },
      { ...base, log1p: 0 },
    ]) {
      expect(optionError(options).code).toBe(ErrorCode.InvalidOptions);
    }
    expect(createFeatureExtractor({ ...base, bins: 112 }).dims).toBe(112);
    expect(createFeatureExtractor({ ...base, frames: 112, center: false }).config.center).toBe(false);
  });

  it('name the option path through an encoder', () => {
    const error = catchError(() =>
      createCnn2dEncoder({ preprocess: { ...PREPROCESS, features: { ...FEATURES, hopLength: 70 } } }),
    );
    expect(error).toMatchObject({
      code: ErrorCode.InvalidOptions,
      plugin: 'audio:cnn2d',
      path: 'preprocess.features.hopLength',
    });
  });

  it('give exactly `frames` frames, first at 0 and last at the end; a signal shorter than nFft is an input error', () => {
    const extractor = createFeatureExtractor({ ...base, frames: 5, log1p: 1 });
    expect(extractor.config.center).toBe(false);
    expect(extractor.config.hopLength).toBeUndefined();
    expect([extractor.frames(222), extractor.frames(8000), extractor.frames(221)]).toEqual([5, 5, 0]);
    // A unit impulse at the last sample shows only in the last frame, at the window's last value.
    const x = new Float32Array(1000);
    x[999] = 1;
    const out = createFeatureExtractor({ ...base, frames: 5, bins: 3 }).extract(x);
    expect(out.frames).toBe(5);
    expect(out.dims).toBe(3);
    expect(Array.from(out.data.subarray(0, 12))).toEqual(new Array(12).fill(0));
    const last = 0.5 - 0.5 * Math.cos((2 * Math.PI * 221) / 222);
    for (const v of out.data.subarray(12)) expect(v).toBeCloseTo(last, 6);
    const short = catchError(() => extractor.extract(new Float32Array(221)));
    expect(short.code).toBe(ErrorCode.InvalidInput);
  });

  it('crop bins and compress with log1p exactly as the full magnitude spectrogram does', () => {
    const tone = Float32Array.from(
      { length: 4000 },
      (_, t) => 0.5 * Math.sin((2 * Math.PI * 440 * t) / 8000),
    );
    const full = createFeatureExtractor({ ...base, frames: 40 }).extract(tone);
    const cropped = createFeatureExtractor({ ...base, frames: 40, bins: 30 }).extractFloat64(tone);
    const logged = createFeatureExtractor({ ...base, frames: 40, bins: 30, log1p: 10 }).extract(tone);
    for (let t = 0; t < 40; t++) {
      for (let k = 0; k < 30; k++) {
        const magnitude = cropped.data[t * 30 + k]!;
        expect(Math.fround(magnitude)).toBe(full.data[t * full.dims + k]);
        expect(logged.data[t * 30 + k]).toBe(Math.fround(Math.log1p(10 * magnitude)));
      }
    }
  });

  it('leave audio:cnn2d’s collapse check working: LeNet(1, 6, 5) fits 112 × 112, a seventh block does not', () => {
    expect(createCnn2dEncoder({ preprocess: PREPROCESS }).options.extraBlocks).toBe(5);
    const error = catchError(() => createCnn2dEncoder({ preprocess: PREPROCESS, extraBlocks: 6 }));
    expect(error).toMatchObject({ code: ErrorCode.InvalidOptions, path: 'extraBlocks' });
    expect(error.message).toMatch(/after block 6/);
  });

  it('refuse power-domain noise on log1p or standardised spectrograms', () => {
    const noise = { noise: { snrDb: [10, 20] } };
    for (const preprocess of [
      { ...PREPROCESS, standardize: 'none' },
      { ...PREPROCESS, features: { kind: 'magnitude', nFft: 222, frames: 112, bins: 112 } },
    ]) {
      const error = catchError(() => createCnn2dEncoder({ preprocess, augment: noise }));
      expect(error).toMatchObject({ code: ErrorCode.InvalidOptions, path: 'augment.noise' });
    }
  });
});
