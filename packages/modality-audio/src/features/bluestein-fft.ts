import type { ComplexFft } from './fft-types.js';
import { createMixedRadixFft } from './mixed-radix-fft.js';

/** The power of two at least `n`. */
export function nextPowerOfTwo(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/**
 * A complex DFT of any size `n` by Bluestein's chirp-z algorithm: with c_j = e^{iπj²/n},
 * X_k = conj(c_k) · Σ_j (x_j · conj(c_j)) · c_{k−j}, a circular convolution of length M ≥ 2n − 1 (a
 * power of two) done with two M-point FFTs; the chirp's spectrum, scaled by 1 / M, is computed once.
 * The inverse FFT is a forward one on conjugates, folded into the pointwise product.
 */
export function createBluesteinFft(n: number): ComplexFft {
  const size = nextPowerOfTwo(2 * n - 1);
  const inner = createMixedRadixFft(size);
  // conj(c_j); j² mod 2n keeps the phase exact however large j² gets.
  const chirp = new Float64Array(2 * n);
  for (let j = 0; j < n; j++) {
    const angle = (Math.PI * ((j * j) % (2 * n))) / n;
    chirp[2 * j] = Math.cos(angle);
    chirp[2 * j + 1] = -Math.sin(angle);
  }
  const b = new Float64Array(2 * size);
  for (let j = 0; j < n; j++) {
    b[2 * j] = chirp[2 * j] / size;
    b[2 * j + 1] = -chirp[2 * j + 1] / size;
    if (j > 0) {
      b[2 * (size - j)] = b[2 * j];
      b[2 * (size - j) + 1] = b[2 * j + 1];
    }
  }
  const spectrum = new Float64Array(2 * size);
  inner.transform(b, spectrum);
  const a = new Float64Array(2 * size);
  const t = new Float64Array(2 * size);

  return {
    n,
    algorithm: 'bluestein',
    transform(src, dst) {
      for (let j = 0; j < n; j++) {
        const xr = src[2 * j];
        const xi = src[2 * j + 1];
        const cr = chirp[2 * j];
        const ci = chirp[2 * j + 1];
        a[2 * j] = xr * cr - xi * ci;
        a[2 * j + 1] = xr * ci + xi * cr;
      }
      a.fill(0, 2 * n);
      inner.transform(a, t);
      // conj(A · B), so that the next forward FFT is the inverse one, conjugated.
      for (let i = 0; i < 2 * size; i += 2) {
        const ar = t[i];
        const ai = t[i + 1];
        const br = spectrum[i];
        const bi = spectrum[i + 1];
        a[i] = ar * br - ai * bi;
        a[i + 1] = -(ar * bi + ai * br);
      }
      inner.transform(a, t);
      // X_k = conj(c_k) · conj(T_k) = conj(c_k · T_k), c_k = conj(chirp_k).
      for (let k = 0; k < n; k++) {
        const tr = t[2 * k];
        const ti = t[2 * k + 1];
        const cr = chirp[2 * k];
        const ci = -chirp[2 * k + 1];
        dst[2 * k] = tr * cr - ti * ci;
        dst[2 * k + 1] = -(tr * ci + ti * cr);
      }
    },
  };
}
