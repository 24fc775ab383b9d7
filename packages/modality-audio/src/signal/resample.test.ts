import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../decode/decode-wav.js';
import { type ResampleQuality, resample } from './resample.js';

function sine(n: number, rate: number, hz: number, amp = 0.5): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));
}

/** Amplitude and phase of `hz` by least squares on sin/cos over [from, to) (the clip's middle). */
function toneAt(x: Float32Array, rate: number, hz: number, from: number, to: number): number {
  let ss = 0;
  let cc = 0;
  let sx = 0;
  let cx = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / rate);
    const c = Math.cos((2 * Math.PI * hz * i) / rate);
    ss += s * s;
    cc += c * c;
    sx += s * x[i]!;
    cx += c * x[i]!;
  }
  return Math.hypot(sx / ss, cx / cc);
}

function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! ** 2;
  return Math.sqrt(sum / (to - from));
}

const qualities: ResampleQuality[] = ['low', 'medium', 'high'];
const ratios = [
  [44_100, 16_000],
  [16_000, 8_000],
  [8_000, 16_000],
  [22_050, 16_000],
  [48_000, 44_100],
] as const;

describe('resample', () => {
  for (const quality of qualities) {
    for (const [from, to] of ratios) {
      it(`${quality}: ${from} → ${to} Hz keeps a tone below the new Nyquist (amplitude ±1%, frequency)`, () => {
        const hz = 0.3 * Math.min(from, to);
        const out = resample(sine(from / 2, from, hz), from, to, { quality });
        expect(out.length).toBe(Math.ceil(to / 2));
        const middle = [Math.floor(out.length * 0.25), Math.floor(out.length * 0.75)] as const;
        // Fit at the expected frequency: a shifted frequency or phase would lose amplitude here.
        expect(toneAt(out, to, hz, ...middle)).toBeCloseTo(0.5, 2);
        expect(Math.abs(toneAt(out, to, hz, ...middle) - 0.5)).toBeLessThan(0.005);
        const expected = sine(out.length, to, hz);
        expect(
          rms(
            out.map((v, i) => v - expected[i]!),
            ...middle,
          ),
        ).toBeLessThan(0.005);
      });
    }

    it(`${quality}: a tone above the new Nyquist is attenuated by at least 40 dB`, () => {
      for (const [from, to, hz] of [
        [16_000, 8_000, 4_600],
        [44_100, 16_000, 9_000],
        [8_000, 6_000, 3_500],
      ] as const) {
        const out = resample(sine(from, from, hz), from, to, { quality });
        const level =
          rms(out, Math.floor(out.length * 0.2), Math.floor(out.length * 0.8)) / (0.5 / Math.SQRT2);
        expect(20 * Math.log10(level), `${from}→${to} at ${hz} Hz`).toBeLessThan(-40);
      }
    });
  }

  it('up then down returns close to the original (away from the edges)', () => {
    const x = Float32Array.from(
      { length: 8000 },
      (_, i) => 0.4 * Math.sin(i * 0.05) + 0.2 * Math.sin(i * 0.9 + 1),
    );
    const back = resample(resample(x, 8000, 44_100), 44_100, 8000);
    expect(back.length).toBe(x.length);
    const err = rms(
      back.map((v, i) => v - x[i]!),
      200,
      7800,
    );
    expect(20 * Math.log10(rms(x, 200, 7800) / err)).toBeGreaterThan(60);
  });

  it('handles irrational ratios, same rate (a copy) and empty input', () => {
    const x = sine(1000, 1000, 50);
    const out = resample(x, 1000, 1000 * Math.SQRT2);
    expect(out.length).toBe(Math.ceil(1000 * Math.SQRT2));
    expect(toneAt(out, 1000 * Math.SQRT2, 50, 300, 1100)).toBeCloseTo(0.5, 2);
    const same = resample(x, 1000, 1000);
    expect(same).toEqual(x);
    expect(same).not.toBe(x);
    expect(resample(new Float32Array(0), 8000, 16_000).length).toBe(0);
  });

  it('rejects bad rates and quality with a typed error', () => {
    for (const [from, to] of [
      [0, 8000],
      [8000, -1],
      [Number.NaN, 8000],
      [8000, Number.POSITIVE_INFINITY],
    ]) {
      try {
        resample(new Float32Array(4), from!, to!);
        expect.unreachable();
      } catch (error) {
        expect(OmnifuseError.isInstance(error) && error.code).toBe(ErrorCode.InvalidOptions);
      }
    }
    expect(() => resample(new Float32Array(4), 1, 2, { quality: 'ultra' as ResampleQuality })).toThrow(
      /quality/,
    );
  });
});

interface Reference {
  clip: string;
  fromRate: number;
  inputLength: number;
  cases: { toRate: number; outputLength: number; excerptStart: number; excerpt: number[] }[];
}

describeWithData(['fsdd', 'recordings'], 'resample vs scipy.signal.resample_poly on FSDD', () => {
  const fixture = path.resolve(import.meta.dirname, '../../test/fixtures/resample-reference.json');
  const reference = JSON.parse(readFileSync(fixture, 'utf8')) as Reference;
  const clip = decodeWav(readFileSync(sharedDataPath('fsdd', 'recordings', reference.clip))).samples[0]!;

  for (const ref of reference.cases) {
    it(`${reference.fromRate} → ${ref.toRate} Hz agrees within 40 dB SNR mid-clip`, () => {
      expect(clip.length).toBe(reference.inputLength);
      // 'high' has the cutoff closest to scipy's (which sits at the Nyquist itself).
      const ours = resample(clip, reference.fromRate, ref.toRate, { quality: 'high' });
      expect(ours.length).toBe(ref.outputLength);
      let signal = 0;
      let noise = 0;
      ref.excerpt.forEach((v, i) => {
        signal += v * v;
        noise += (v - ours[ref.excerptStart + i]!) ** 2;
      });
      expect(10 * Math.log10(signal / noise)).toBeGreaterThan(40);
    });
  }
});
