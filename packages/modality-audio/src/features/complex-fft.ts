import { createBluesteinFft, nextPowerOfTwo } from './bluestein-fft.js';
import type { ComplexFft, ComplexFftAlgorithm } from './fft-types.js';
import { createMixedRadixFft, radixFactors } from './mixed-radix-fft.js';

export type { ComplexFft, ComplexFftAlgorithm } from './fft-types.js';

/** A complex FFT of size `n` by whichever of {@link chooseComplexFft}'s algorithms is cheaper. */
export function createComplexFft(n: number, algorithm = chooseComplexFft(n)): ComplexFft {
  return algorithm === 'mixed-radix' ? createMixedRadixFft(n) : createBluesteinFft(n);
}

/**
 * Mixed radix unless Bluestein's two FFTs of a power of two M ≥ 2n − 1 cost less, which happens when
 * one prime factor p is large (its butterflies cost O(p) per point): 2049 = 3 · 683 and most primes
 * above ~60 go to Bluestein; 222's 111 = 3 · 37 and 1023 = 3 · 11 · 31 stay mixed radix (measured
 * 3.7 µs against Bluestein's 5.4 µs for 111).
 */
export function chooseComplexFft(n: number): ComplexFftAlgorithm {
  return mixedRadixCost(n) <= bluesteinCost(n) ? 'mixed-radix' : 'bluestein';
}

/** Estimated nanoseconds of a mixed-radix transform of size `n` (see {@link passCost}). */
export function mixedRadixCost(n: number): number {
  let perPoint = 0;
  for (const r of radixFactors(n)) perPoint += passCost(r);
  return n * perPoint;
}

/** Estimated nanoseconds of a Bluestein transform: two inner FFTs, the spectrum product, the chirps. */
export function bluesteinCost(n: number): number {
  const size = nextPowerOfTwo(2 * n - 1);
  return 2 * mixedRadixCost(size) + 2.5 * size + 2 * n;
}

/**
 * Nanoseconds per point of one pass of radix `r`, measured with V8 (Node 20) on this project's 2-core
 * x86 VM: an odd radix p > 5 pays about 0.8 · p for its paired O(p²) butterfly.
 */
function passCost(r: number): number {
  if (r === 2) return 1.7;
  if (r === 3) return 2.2;
  if (r === 4) return 2;
  if (r === 5) return 2.8;
  return 0.8 * r + 2;
}
