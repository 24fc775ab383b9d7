import { describe, expect, it } from 'vitest';
import { createAnySizeRealFft } from './any-size-real-fft.js';
import type { ComplexFftAlgorithm } from './complex-fft.js';
import { createDirectRealDft, createRealFft, isPowerOfTwo } from './fft.js';

function randomSignal(n: number, seed: number): Float64Array {
  let s = seed;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

function naiveDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const bins = (n >> 1) + 1;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    for (let t = 0; t < n; t++) {
      re[k] += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      im[k] -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
  }
  return { re, im };
}

/** X_k for k <= n / 2 by the definition, with the phase kt reduced mod n so that it stays exact. */
function directDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const cos = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * i) / n));
  const sin = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / n));
  const bins = (n >> 1) + 1;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    for (let t = 0; t < n; t++) {
      re[k] += x[t] * cos[(k * t) % n];
      im[k] -= x[t] * sin[(k * t) % n];
    }
  }
  return { re, im };
}

/** sqrt(Σ_k |X_k|²) over all n bins, = sqrt(n Σ x²) (Parseval): the frame's energy scale. */
function energyScale(x: Float64Array): number {
  return Math.sqrt(x.length * x.reduce((a, v) => a + v * v, 0));
}

/** The largest |ΔRe|, |ΔIm| of `spectrum` against `ref`, relative to `scale`. */
function relativeError(
  spectrum: { re: Float64Array; im: Float64Array },
  ref: { re: Float64Array; im: Float64Array },
  scale: number,
): number {
  let worst = 0;
  for (let k = 0; k < ref.re.length; k++) {
    worst = Math.max(worst, Math.abs(spectrum.re[k] - ref.re[k]), Math.abs(spectrum.im[k] - ref.im[k]));
  }
  return worst / scale;
}

const ANY_SIZES = [...Array.from({ length: 299 }, (_, i) => i + 2), 222, 400, 441, 1000, 1023, 2049];

function transform(x: Float64Array) {
  const fft = createRealFft(x.length);
  const re = new Float64Array(fft.bins);
  const im = new Float64Array(fft.bins);
  fft.forward(x, re, im);
  return { re, im, bins: fft.bins };
}

describe('createRealFft', () => {
  it.each([2, 4, 8, 64, 256, 512, 3, 5, 12, 100, 1])('matches a naive DFT for n = %i', (n) => {
    const x = randomSignal(n, n);
    const { re, im } = transform(x);
    const ref = naiveDft(x);
    for (let k = 0; k < re.length; k++) {
      expect(re[k]).toBeCloseTo(ref.re[k], 10);
      expect(im[k]).toBeCloseTo(ref.im[k], 10);
    }
  });

  it.each([256, 1024, 6])("satisfies Parseval's theorem for n = %i", (n) => {
    const x = randomSignal(n, 7);
    const { re, im, bins } = transform(x);
    const energy = x.reduce((a, v) => a + v * v, 0);
    // One-sided spectrum: DC and (even n) Nyquist once, the other bins twice.
    let spectral = 0;
    for (let k = 0; k < bins; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      const once = k === 0 || (n % 2 === 0 && k === bins - 1);
      spectral += once ? p : 2 * p;
    }
    expect(spectral / n).toBeCloseTo(energy, 10);
  });

  it("puts a pure sine's energy in its bin", () => {
    const n = 512;
    const bin = 37;
    const x = Float64Array.from({ length: n }, (_, t) => Math.sin((2 * Math.PI * bin * t) / n));
    const { re, im } = transform(x);
    const power = re.map((r, k) => r * r + im[k] * im[k]);
    expect(power.indexOf(Math.max(...power))).toBe(bin);
    expect(Math.sqrt(power[bin])).toBeCloseTo(n / 2, 8);
  });

  it('is within 1e-12 of the energy scale of a direct DFT for every n from 2 to 300 and larger sizes', () => {
    const failures: string[] = [];
    let worst = 0;
    for (const n of ANY_SIZES) {
      const x = randomSignal(n, 1000 + n);
      const error = relativeError(transform(x), directDft(x), energyScale(x));
      worst = Math.max(worst, error);
      if (!(error <= 1e-12)) failures.push(`n = ${n}: ${error}`);
    }
    expect(failures).toEqual([]);
    expect(worst).toBeLessThan(1e-14); // measured ~5e-16
  });

  it.each<ComplexFftAlgorithm>(['mixed-radix', 'bluestein'])(
    'is within 1e-12 of a direct DFT with %s forced, for every size',
    (algorithm) => {
      const failures: string[] = [];
      for (const n of ANY_SIZES) {
        const fft = createAnySizeRealFft(n, algorithm);
        const x = randomSignal(n, 2000 + n);
        const re = new Float64Array(fft.bins);
        const im = new Float64Array(fft.bins);
        fft.forward(x, re, im);
        const error = relativeError({ re, im }, directDft(x), energyScale(x));
        if (!(error <= 1e-12)) failures.push(`n = ${n}: ${error}`);
      }
      expect(failures).toEqual([]);
    },
  );

  it.each([222, 97, 441, 1000, 2049])(
    'writes the power and magnitude of a windowed frame at an offset for n = %i',
    (n) => {
      const fft = createRealFft(n);
      const signal = randomSignal(3 * n, n);
      const window = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
      const offset = n + 7;
      const frame = Float64Array.from({ length: n }, (_, i) => signal[offset + i] * window[i]);
      const ref = directDft(frame);
      const scale = energyScale(frame);
      const power = new Float64Array(fft.bins + 3);
      const magnitude = new Float32Array(fft.bins + 3);
      fft.powerFrame(signal, offset, window, power, 3, false);
      fft.powerFrame(signal, offset, window, magnitude, 3, true);
      for (let k = 0; k < fft.bins; k++) {
        const p = ref.re[k] ** 2 + ref.im[k] ** 2;
        expect(Math.abs(power[3 + k] - p)).toBeLessThanOrEqual(1e-12 * scale * scale);
        expect(Math.abs(magnitude[3 + k] - Math.sqrt(p))).toBeLessThanOrEqual(1e-6 * scale);
      }
    },
  );

  it('keeps the direct DFT as a baseline that agrees with the fast kernels', () => {
    const x = randomSignal(222, 5);
    const direct = createDirectRealDft(222);
    const re = new Float64Array(direct.bins);
    const im = new Float64Array(direct.bins);
    direct.forward(x, re, im);
    expect(relativeError({ re, im }, transform(x), energyScale(x))).toBeLessThan(1e-12);
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => createRealFft(0)).toThrow(/positive integer/);
    expect(() => createRealFft(2.5)).toThrow(/positive integer/);
  });

  it('knows powers of two', () => {
    expect([1, 2, 256].every(isPowerOfTwo)).toBe(true);
    expect([0, 3, 100, 2.5].some(isPowerOfTwo)).toBe(false);
  });
});
