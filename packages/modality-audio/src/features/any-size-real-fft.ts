import { createComplexFft } from './complex-fft.js';
import type { ComplexFftAlgorithm, RealFft } from './fft-types.js';

/**
 * A real FFT of any size `n` >= 2 over a complex FFT ({@link createComplexFft}: mixed radix or
 * Bluestein). Even `n` packs the input as n / 2 complex points and splits their spectrum into the
 * real one (half the work); odd `n` transforms n complex points with zero imaginary parts.
 * Powers of two have their own, faster kernel (`createPowerFft`).
 */
export function createAnySizeRealFft(n: number, algorithm?: ComplexFftAlgorithm): RealFft {
  const even = n % 2 === 0;
  const m = even ? n >> 1 : n;
  const complex = createComplexFft(m, algorithm);
  const bins = (n >> 1) + 1;
  const src = new Float64Array(2 * m);
  const z = new Float64Array(2 * m);
  // e^{−2πik/n}, k <= m / 2, for the split pass.
  const half = m >> 1;
  const split = new Float64Array(even ? 2 * (half + 1) : 0);
  for (let k = 0; even && k <= half; k++) {
    split[2 * k] = Math.cos((2 * Math.PI * k) / n);
    split[2 * k + 1] = -Math.sin((2 * Math.PI * k) / n);
  }
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);

  /** The spectrum of `input[offset ..] · window` into `outRe`, `outIm`. */
  const spectrum = (
    input: Float64Array,
    offset: number,
    window: Float64Array | undefined,
    outRe: Float64Array,
    outIm: Float64Array,
  ): void => {
    if (even) {
      if (window) for (let i = 0; i < n; i++) src[i] = input[offset + i] * window[i];
      else for (let i = 0; i < n; i++) src[i] = input[offset + i];
    } else {
      for (let i = 0; i < n; i++) {
        src[2 * i] = window ? input[offset + i] * window[i] : input[offset + i];
        src[2 * i + 1] = 0;
      }
    }
    complex.transform(src, z);
    if (!even) {
      for (let k = 0; k < bins; k++) {
        outRe[k] = z[2 * k];
        outIm[k] = z[2 * k + 1];
      }
      return;
    }
    // Z = E + iO with E, O the spectra of the even and odd samples; X_k = E_k + e^{−2πik/n} O_k, and
    // X_{m−k} = conj(E_k − e^{−2πik/n} O_k).
    outRe[0] = z[0] + z[1];
    outIm[0] = 0;
    outRe[m] = z[0] - z[1];
    outIm[m] = 0;
    for (let k = 1; k <= half; k++) {
      const a = z[2 * k];
      const b = z[2 * k + 1];
      const c = z[2 * (m - k)];
      const d = z[2 * (m - k) + 1];
      const er = 0.5 * (a + c);
      const ei = 0.5 * (b - d);
      const or = 0.5 * (b + d);
      const oi = 0.5 * (c - a);
      const wr = split[2 * k];
      const wi = split[2 * k + 1];
      const p = wr * or - wi * oi;
      const q = wr * oi + wi * or;
      outRe[k] = er + p;
      outIm[k] = ei + q;
      outRe[m - k] = er - p;
      outIm[m - k] = q - ei;
    }
  };

  return {
    n,
    bins,
    forward(input, outRe, outIm) {
      spectrum(input, 0, undefined, outRe, outIm);
    },
    powerFrame(input, offset, window, out, outOffset, magnitude) {
      spectrum(input, offset, window, re, im);
      for (let k = 0; k < bins; k++) {
        const p = re[k] * re[k] + im[k] * im[k];
        out[outOffset + k] = magnitude ? Math.sqrt(p) : p;
      }
    },
  };
}
