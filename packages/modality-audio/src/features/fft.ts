import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** A forward real DFT of fixed size `n`, with its tables computed once. */
export interface RealFft {
  readonly n: number;
  /** Number of non-negative frequency bins, `n / 2 + 1` (floor for odd `n`). */
  readonly bins: number;
  /** Writes the spectrum of `input` (length `n`) into `re` and `im` (length `bins`). */
  forward(input: Float64Array, re: Float64Array, im: Float64Array): void;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/**
 * A real FFT of size `n`. Powers of two (n >= 2) use a radix-2 complex FFT of n / 2 points plus one
 * split pass; any other size falls back to a direct O(n²) DFT over precomputed cos/sin tables, which
 * is exact but slow, so prefer a power-of-two `nFft`.
 */
export function createRealFft(n: number): RealFft {
  if (!Number.isInteger(n) || n < 1) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'FFT size must be a positive integer',
      field: 'nFft',
      expected: 'integer >= 1',
      found: n,
    });
  }
  return isPowerOfTwo(n) && n >= 2 ? radix2RealFft(n) : directRealDft(n);
}

function radix2RealFft(n: number): RealFft {
  const m = n >> 1;
  const bins = m + 1;
  // Bit-reversal permutation and twiddles of the m-point complex FFT.
  const bitrev = new Uint32Array(m);
  const levels = Math.log2(m);
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0, v = i; b < levels; b++, v >>= 1) r = (r << 1) | (v & 1);
    bitrev[i] = r;
  }
  const half = Math.max(1, m >> 1);
  const cosM = new Float64Array(half);
  const sinM = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    cosM[i] = Math.cos((2 * Math.PI * i) / m);
    sinM[i] = Math.sin((2 * Math.PI * i) / m);
  }
  // Split twiddles e^{-2πik/n} for k = 0..m.
  const cosN = new Float64Array(bins);
  const sinN = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    cosN[k] = Math.cos((2 * Math.PI * k) / n);
    sinN[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const zr = new Float64Array(m);
  const zi = new Float64Array(m);

  return {
    n,
    bins,
    forward(input, re, im) {
      // Pack even samples as real parts and odd samples as imaginary parts, bit-reversed.
      for (let i = 0; i < m; i++) {
        const j = bitrev[i];
        zr[j] = input[2 * i];
        zi[j] = input[2 * i + 1];
      }
      for (let size = 2; size <= m; size <<= 1) {
        const halfSize = size >> 1;
        const step = m / size;
        for (let start = 0; start < m; start += size) {
          for (let j = 0, t = 0; j < halfSize; j++, t += step) {
            const wr = cosM[t];
            const wi = -sinM[t];
            const a = start + j;
            const b = a + halfSize;
            const xr = zr[b] * wr - zi[b] * wi;
            const xi = zr[b] * wi + zi[b] * wr;
            zr[b] = zr[a] - xr;
            zi[b] = zi[a] - xi;
            zr[a] += xr;
            zi[a] += xi;
          }
        }
      }
      // Split the packed spectrum Z into X[k] = E[k] + e^{-2πik/n} O[k].
      for (let k = 0; k < bins; k++) {
        const ka = k === m ? 0 : k;
        const kb = k === 0 ? 0 : m - k;
        const a = zr[ka];
        const b = zi[ka];
        const c = zr[kb];
        const d = zi[kb];
        const er = (a + c) * 0.5;
        const ei = (b - d) * 0.5;
        const or = (b + d) * 0.5;
        const oi = (c - a) * 0.5;
        const wr = cosN[k];
        const wi = -sinN[k];
        re[k] = er + wr * or - wi * oi;
        im[k] = ei + wr * oi + wi * or;
      }
    },
  };
}

function directRealDft(n: number): RealFft {
  const bins = (n >> 1) + 1;
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = Math.sin((2 * Math.PI * i) / n);
  }
  return {
    n,
    bins,
    forward(input, re, im) {
      for (let k = 0; k < bins; k++) {
        let sr = 0;
        let si = 0;
        for (let t = 0, idx = 0; t < n; t++) {
          sr += input[t] * cos[idx];
          si -= input[t] * sin[idx];
          idx += k;
          if (idx >= n) idx -= n;
        }
        re[k] = sr;
        im[k] = si;
      }
    },
  };
}
