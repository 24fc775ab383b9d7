import { describe, expect, it } from 'vitest';
import { bluesteinCost, chooseComplexFft, createComplexFft, mixedRadixCost } from './complex-fft.js';
import { radixFactors } from './mixed-radix-fft.js';

/** Interleaved (re, im) values in [-0.5, 0.5) from a fixed LCG. */
function randomComplex(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: 2 * n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/** The DFT by its definition, phases jk reduced mod n. */
function directDft(x: Float64Array): Float64Array {
  const n = x.length / 2;
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const angle = (-2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      out[2 * k] += x[2 * j] * c - x[2 * j + 1] * s;
      out[2 * k + 1] += x[2 * j] * s + x[2 * j + 1] * c;
    }
  }
  return out;
}

const SIZES = [...Array.from({ length: 130 }, (_, i) => i + 1), 111, 210, 289, 443, 1024, 1023];

describe('createComplexFft', () => {
  it.each(['mixed-radix', 'bluestein'] as const)('matches the DFT of complex input with %s', (algorithm) => {
    const failures: string[] = [];
    for (const n of SIZES) {
      const x = randomComplex(n, n);
      const ref = directDft(x);
      const fft = createComplexFft(n, algorithm);
      expect(fft.algorithm).toBe(algorithm);
      const out = new Float64Array(2 * n);
      fft.transform(x.slice(), out);
      const scale = Math.sqrt(ref.reduce((a, v) => a + v * v, 0));
      const error = out.reduce((a, v, i) => Math.max(a, Math.abs(v - ref[i])), 0) / scale;
      if (!(error <= 1e-13)) failures.push(`n = ${n}: ${error}`);
    }
    expect(failures).toEqual([]);
  });

  it('factors into passes of 4, one 2, then odd primes', () => {
    expect(radixFactors(111)).toEqual([3, 37]);
    expect(radixFactors(1000)).toEqual([4, 2, 5, 5, 5]);
    expect(radixFactors(2048)).toEqual([4, 4, 4, 4, 4, 2]);
    expect(radixFactors(1)).toEqual([]);
  });

  it('picks the cheaper algorithm per size', () => {
    // 222's packed half and 1023 = 3 · 11 · 31 are cheaper in passes; 2049 = 3 · 683 and 127 in Bluestein.
    expect([111, 1023, 500, 441, 37].map(chooseComplexFft)).toEqual(Array(5).fill('mixed-radix'));
    expect([2049, 127, 509].map(chooseComplexFft)).toEqual(Array(3).fill('bluestein'));
    for (const n of [111, 2049]) {
      expect(chooseComplexFft(n) === 'mixed-radix').toBe(mixedRadixCost(n) <= bluesteinCost(n));
    }
  });
});
