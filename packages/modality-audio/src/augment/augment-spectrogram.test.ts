import { readFileSync } from 'node:fs';
import type { Feature, Rng } from '@omnifuse/core';
import { createRng, OmnifuseError } from '@omnifuse/core';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../decode/index.js';
import { createFeatureExtractor } from '../features/index.js';
import { type AudioAugmentOptions, augmentSpectrogram } from './index.js';

/** Row t holds t * 10 + d: every frame and every dim is distinguishable. */
function ramp(frames: number, dims: number, trailingOne = true): Feature {
  const data = new Float32Array(frames * dims);
  for (let t = 0; t < frames; t++) for (let d = 0; d < dims; d++) data[t * dims + d] = t * 10 + d;
  return { dtype: 'float32', shape: trailingOne ? [frames, dims, 1] : [frames, dims], data };
}

/** An Rng whose `int(n)` always returns n - 1 (the largest draw). */
function maxRng(): Rng {
  const rng: Rng = { next: () => 0.5, int: (n) => n - 1, normal: () => 0, fork: () => rng };
  return rng;
}

const all: AudioAugmentOptions = {
  timeShift: { maxFrames: 3 },
  noise: { snrDb: [5, 20] },
  timeMasks: { count: 2, maxWidth: 4 },
  frequencyMasks: { count: 2, maxWidth: 3 },
};

function positive(frames: number, dims: number): Feature {
  const rng = createRng(7);
  const data = new Float32Array(frames * dims);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() * 5 + 0.1;
  return { dtype: 'float32', shape: [frames, dims, 1], data };
}

function optionsError(fn: () => unknown): OmnifuseError {
  try {
    fn();
  } catch (error) {
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect((error as OmnifuseError).code).toBe('E_OPTIONS');
    return error as OmnifuseError;
  }
  throw new Error('expected an error');
}

describe('augmentSpectrogram', () => {
  it('is deterministic per seed, differs across seeds, keeps shape and leaves the input alone', () => {
    const input = positive(30, 12);
    const before = new Float32Array(input.data as Float32Array);
    const a = augmentSpectrogram(input, all, { kind: 'power' }, createRng(1));
    const b = augmentSpectrogram(input, all, { kind: 'power' }, createRng(1));
    const c = augmentSpectrogram(input, all, { kind: 'power' }, createRng(2));
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect(a.shape).toEqual([30, 12, 1]);
    expect(a.dtype).toBe('float32');
    expect(a.data).not.toBe(input.data);
    expect(input.data).toEqual(before);
  });

  it('returns a copy, equal to the input, with no options', () => {
    const input = ramp(5, 3, false);
    const out = augmentSpectrogram(input, {}, { kind: 'logmel' }, createRng(1));
    expect(out.data).toEqual(input.data);
    expect(out.data).not.toBe(input.data);
    expect(out.shape).toEqual([5, 3]);
  });

  it('shifts a ramp by exactly k frames, filling with the minimum or wrapping', () => {
    const frames = 10;
    const dims = 4;
    const k = 3;
    const input = ramp(frames, dims);
    const shifted = augmentSpectrogram(input, { timeShift: { maxFrames: k } }, { kind: 'logmel' }, maxRng());
    const rolled = augmentSpectrogram(
      input,
      { timeShift: { maxFrames: k, roll: true } },
      { kind: 'logmel' },
      maxRng(),
    );
    for (let t = 0; t < frames; t++) {
      for (let d = 0; d < dims; d++) {
        const i = t * dims + d;
        expect(shifted.data[i]).toBe(t < k ? 0 : (t - k) * 10 + d);
        expect(rolled.data[i]).toBe(((t - k + frames) % frames) * 10 + d);
      }
    }
    // Seeded shifts stay within ±maxFrames and are a pure shift of the ramp.
    for (let seed = 0; seed < 20; seed++) {
      const out = augmentSpectrogram(
        input,
        { timeShift: { maxFrames: k, roll: true } },
        { kind: 'power' },
        createRng(seed),
      );
      const shift = (((0 - out.data[0]! / 10) % frames) + frames) % frames;
      const s = shift > frames / 2 ? shift - frames : shift;
      expect(Math.abs(s)).toBeLessThanOrEqual(k);
      for (let t = 0; t < frames; t++)
        expect(out.data[t * dims]).toBe(((((t - s) % frames) + frames) % frames) * 10);
    }
  });

  it('masks at most count × maxWidth frames and dims, filled with the mean', () => {
    const frames = 40;
    const dims = 20;
    const input = ramp(frames, dims);
    const values = input.data as Float32Array;
    const fill = Math.fround(values.reduce((a, b) => a + b, 0) / values.length);
    let sawMask = false;
    for (let seed = 0; seed < 30; seed++) {
      const time = augmentSpectrogram(
        input,
        { timeMasks: { count: 2, maxWidth: 5 } },
        { kind: 'mfcc' },
        createRng(seed),
      );
      const maskedRows = new Set<number>();
      for (let i = 0; i < values.length; i++) {
        if (time.data[i] !== values[i]) {
          expect(time.data[i]).toBe(fill);
          maskedRows.add(Math.floor(i / dims));
        }
      }
      for (const t of maskedRows) for (let d = 0; d < dims; d++) expect(time.data[t * dims + d]).toBe(fill);
      expect(maskedRows.size).toBeLessThanOrEqual(10);

      const freq = augmentSpectrogram(
        input,
        { frequencyMasks: { count: 3, maxWidth: 2 } },
        { kind: 'mfcc' },
        createRng(seed),
      );
      const maskedCols = new Set<number>();
      for (let i = 0; i < values.length; i++) {
        if (freq.data[i] !== values[i]) {
          expect(freq.data[i]).toBe(fill);
          maskedCols.add(i % dims);
        }
      }
      for (const d of maskedCols) for (let t = 0; t < frames; t++) expect(freq.data[t * dims + d]).toBe(fill);
      expect(maskedCols.size).toBeLessThanOrEqual(6);
      sawMask ||= maskedRows.size > 0 && maskedCols.size > 0;
    }
    expect(sawMask).toBe(true);
  });

  it('adds logmel noise in the power domain, never below the input', () => {
    const input = ramp(8, 5);
    const out = augmentSpectrogram(input, { noise: { snrDb: [10, 10] } }, { kind: 'logmel' }, createRng(3));
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < out.data.length; i++) {
      expect(out.data[i]).toBeGreaterThanOrEqual(input.data[i]!);
      signal += 10 ** (input.data[i]! / 10);
      noise += 10 ** (out.data[i]! / 10) - 10 ** (input.data[i]! / 10);
    }
    expect(10 * Math.log10(signal / noise)).toBeCloseTo(10, 2);
  });

  it('adds magnitude noise through power', () => {
    const input = positive(50, 40);
    const out = augmentSpectrogram(input, { noise: { snrDb: [6, 6] } }, { kind: 'magnitude' }, createRng(4));
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < out.data.length; i++) {
      signal += input.data[i]! ** 2;
      noise += out.data[i]! ** 2 - input.data[i]! ** 2;
    }
    expect(Math.abs(10 * Math.log10(signal / noise) - 6)).toBeLessThan(0.5);
  });

  it('rejects bad options with E_OPTIONS and a path', () => {
    const input = ramp(4, 4);
    const run = (options: unknown, kind: 'power' | 'mfcc' = 'power', extra = {}) =>
      augmentSpectrogram(input, options as AudioAugmentOptions, { kind, ...extra }, createRng(1));
    expect(optionsError(() => run({ timeShift: { maxFrames: -1 } })).path).toBe('timeShift.maxFrames');
    expect(optionsError(() => run({ timeMasks: { count: 1.5, maxWidth: 2 } })).path).toBe('timeMasks.count');
    expect(optionsError(() => run({ noise: { snrDb: [20, 10] } })).path).toBe('noise.snrDb');
    expect(optionsError(() => run({ noise: { snrDb: [10, 20], kind: 'pink' } })).path).toBe('noise.kind');
    expect(optionsError(() => run({ frequencyMasks: { count: 1, maxWidth: 1, p: 1 } })).path).toBe(
      'frequencyMasks',
    );
    expect(optionsError(() => run({ pitch: 2 })).path).toBe('(root)');
    const mfcc = optionsError(() => run({ noise: { snrDb: [10, 20] } }, 'mfcc'));
    expect(mfcc.path).toBe('noise');
    expect(mfcc.reason).toMatch(/before the DCT/);
    expect(optionsError(() => run({ noise: { snrDb: [10, 20] } }, 'power', { cmvn: true })).path).toBe(
      'noise',
    );
    expect(optionsError(() => run({ noise: { snrDb: [10, 20] } }, 'power', { deltas: 1 })).path).toBe(
      'noise',
    );
    // Masks and shifts are fine on mfcc.
    expect(run({ timeMasks: { count: 1, maxWidth: 2 } }, 'mfcc').shape).toEqual([4, 4, 1]);
  });

  it('rejects a feature that is not a float32 spectrogram with E_INPUT', () => {
    const bad: Feature = { dtype: 'float32', shape: [2, 2, 2], data: new Float32Array(8) };
    expect(() => augmentSpectrogram(bad, {}, { kind: 'power' }, createRng(1))).toThrow(
      expect.objectContaining({ code: 'E_INPUT' }),
    );
  });
});

describeWithData(['fsdd', 'recordings'], 'augmentSpectrogram noise on an FSDD clip', () => {
  it('hits the target SNR within ±1.5 dB on a power spectrogram', () => {
    const clip = decodeWav(readFileSync(sharedDataPath('fsdd', 'recordings', '0_george_0.wav')));
    const extractor = createFeatureExtractor({ sampleRate: clip.sampleRate, kind: 'power', nFft: 256 });
    const { data, frames, dims } = extractor.extract(clip.samples[0]!);
    const feature: Feature = { dtype: 'float32', shape: [frames, dims, 1], data };
    const measure = (out: Feature) => {
      let signal = 0;
      let noise = 0;
      for (let i = 0; i < data.length; i++) {
        signal += data[i]!;
        noise += out.data[i]! - data[i]!;
      }
      return 10 * Math.log10(signal / noise);
    };
    for (const [seed, snr] of [0, 10, 20, 30].entries()) {
      const out = augmentSpectrogram(
        feature,
        { noise: { snrDb: [snr, snr] } },
        { kind: 'power' },
        createRng(seed),
      );
      expect(Math.abs(measure(out) - snr)).toBeLessThan(1.5);
    }
    // A drawn SNR stays within the range (plus the tolerance).
    for (let seed = 0; seed < 5; seed++) {
      const out = augmentSpectrogram(
        feature,
        { noise: { snrDb: [5, 15] } },
        { kind: 'power' },
        createRng(seed),
      );
      const measured = measure(out);
      expect(measured).toBeGreaterThan(3.5);
      expect(measured).toBeLessThan(16.5);
    }
  });
});
