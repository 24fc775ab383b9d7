import { describe, expect, it } from 'vitest';
import { createRealFft, isPowerOfTwo } from './fft.js';

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

  it('rejects sizes that are not positive integers', () => {
    expect(() => createRealFft(0)).toThrow(/positive integer/);
    expect(() => createRealFft(2.5)).toThrow(/positive integer/);
  });

  it('knows powers of two', () => {
    expect([1, 2, 256].every(isPowerOfTwo)).toBe(true);
    expect([0, 3, 100, 2.5].some(isPowerOfTwo)).toBe(false);
  });
});
