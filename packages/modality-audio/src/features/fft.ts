import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** A forward real DFT of fixed size `n`, with its tables computed once. */
export interface RealFft {
  readonly n: number;
  /** Number of non-negative frequency bins, `n / 2 + 1` (floor for odd `n`). */
  readonly bins: number;
  /** Writes the spectrum of `input` (length `n`) into `re` and `im` (length `bins`). */
  forward(input: Float64Array, re: Float64Array, im: Float64Array): void;
  /**
   * `|X|²` (or `|X|`) of `input[offset .. offset + n) * window` into `out[outOffset ..)`: the STFT's
   * inner step, without copying the frame or keeping the complex spectrum.
   */
  powerFrame(
    input: Float64Array,
    offset: number,
    window: Float64Array,
    out: Float32Array,
    outOffset: number,
    magnitude: boolean,
  ): void;
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
  // Bit-reversal permutation of the m-point complex FFT.
  const bitrev = new Uint32Array(m);
  const levels = Math.round(Math.log2(m));
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0, v = i; b < levels; b++, v >>= 1) r = (r << 1) | (v & 1);
    bitrev[i] = r;
  }
  // Twiddles stored per stage, contiguously: stage of half-size h uses twr/twi[h + j], j < h.
  const twr = new Float64Array(Math.max(2, m));
  const twi = new Float64Array(Math.max(2, m));
  for (let h = 1; h < m; h <<= 1) {
    for (let j = 0; j < h; j++) {
      twr[h + j] = Math.cos((Math.PI * j) / h);
      twi[h + j] = -Math.sin((Math.PI * j) / h);
    }
  }
  // Split twiddles e^{-2πik/n} for k = 0..m.
  const cosN = new Float64Array(bins);
  const sinN = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    cosN[k] = Math.cos((2 * Math.PI * k) / n);
    sinN[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  const zr = new Float64Array(m);
  const zi = new Float64Array(m);

  // The packed complex FFT of z (already bit-reversed in zr/zi), in place.
  const complexFft = (): void => {
    let h = 1;
    if (m >= 4) {
      // The first two radix-2 stages as one radix-4 pass: twiddles are 1 and -i, no multiplies.
      for (let a = 0; a < m; a += 4) {
        const r0 = zr[a] + zr[a + 1];
        const i0 = zi[a] + zi[a + 1];
        const r1 = zr[a] - zr[a + 1];
        const i1 = zi[a] - zi[a + 1];
        const r2 = zr[a + 2] + zr[a + 3];
        const i2 = zi[a + 2] + zi[a + 3];
        const r3 = zr[a + 2] - zr[a + 3];
        const i3 = zi[a + 2] - zi[a + 3];
        zr[a] = r0 + r2;
        zi[a] = i0 + i2;
        zr[a + 2] = r0 - r2;
        zi[a + 2] = i0 - i2;
        // (r3 + i i3) * -i = i3 - i r3
        zr[a + 1] = r1 + i3;
        zi[a + 1] = i1 - r3;
        zr[a + 3] = r1 - i3;
        zi[a + 3] = i1 + r3;
      }
      h = 4;
    }
    for (; h < m; h <<= 1) {
      const size = h << 1;
      for (let start = 0; start < m; start += size) {
        for (let j = 0; j < h; j++) {
          const wr = twr[h + j];
          const wi = twi[h + j];
          const a = start + j;
          const b = a + h;
          const br = zr[b];
          const bi = zi[b];
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          const ar = zr[a];
          const ai = zi[a];
          zr[b] = ar - xr;
          zi[b] = ai - xi;
          zr[a] = ar + xr;
          zi[a] = ai + xi;
        }
      }
    }
  };

  const pack = (input: ArrayLike<number>, offset: number, window: Float64Array | undefined): void => {
    if (window) {
      for (let i = 0; i < m; i++) {
        const j = bitrev[i];
        const e = offset + 2 * i;
        zr[j] = input[e] * window[2 * i];
        zi[j] = input[e + 1] * window[2 * i + 1];
      }
    } else {
      for (let i = 0; i < m; i++) {
        const j = bitrev[i];
        zr[j] = input[offset + 2 * i];
        zi[j] = input[offset + 2 * i + 1];
      }
    }
  };

  return {
    n,
    bins,
    forward(input, re, im) {
      pack(input, 0, undefined);
      complexFft();
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
        const wi = sinN[k];
        re[k] = er + wr * or - wi * oi;
        im[k] = ei + wr * oi + wi * or;
      }
    },
    powerFrame(input, offset, window, out, outOffset, magnitude) {
      pack(input, offset, window);
      complexFft();
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
        const wi = sinN[k];
        const xr = er + wr * or - wi * oi;
        const xi = ei + wr * oi + wi * or;
        const p = xr * xr + xi * xi;
        out[outOffset + k] = magnitude ? Math.sqrt(p) : p;
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
  const frame = new Float64Array(n);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const forward = (input: Float64Array, re: Float64Array, im: Float64Array): void => {
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
  };
  return {
    n,
    bins,
    forward,
    powerFrame(input, offset, window, out, outOffset, magnitude) {
      for (let i = 0; i < n; i++) frame[i] = input[offset + i] * window[i];
      forward(frame, re, im);
      for (let k = 0; k < bins; k++) {
        const p = re[k] * re[k] + im[k] * im[k];
        out[outOffset + k] = magnitude ? Math.sqrt(p) : p;
      }
    },
  };
}
