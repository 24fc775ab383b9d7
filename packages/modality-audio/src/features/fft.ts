import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { createAnySizeRealFft } from './any-size-real-fft.js';
import type { RealFft } from './fft-types.js';

export type { RealFft } from './fft-types.js';

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/**
 * A real FFT of size `n`. Powers of two (n >= 2) use a radix-4 complex FFT of n / 2 points plus one
 * split pass; any other size a mixed-radix (2, 3, 4, 5, odd p) or Bluestein complex FFT, whichever
 * costs less for that size (see `createAnySizeRealFft`); n = 1 is its own DFT.
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
  if (n === 1) return createDirectRealDft(n);
  return isPowerOfTwo(n) ? createPowerFft(n) : createAnySizeRealFft(n);
}

/** A real FFT that also writes the one-sided power spectrum `|X|²` straight into a float64 row. */
export interface PowerFft extends RealFft {
  /** `|X|²` of `input[offset .. offset + n) * window` into `out[0 .. bins)`. */
  powerInto(input: Float64Array, offset: number, window: Float64Array, out: Float64Array): void;
}

/** The fixed tables of the packed radix-4 real FFT of a power-of-two `n`, shared by both kernels. */
export interface Radix4Tables {
  /** Complex points, n / 2. */
  m: number;
  bins: number;
  /** Bit reversal of log2(m) bits for each point. */
  bitrev: Int32Array;
  /** First stage: twiddle-free radix 4 (log2(m) even and >= 2), radix 2 (odd), or 1 (m = 1). */
  first: 1 | 2 | 4;
  /** Quarter size h of each radix-4 stage after the first: first, 4 first, ... */
  stageH: Int32Array;
  /** Where each stage's twiddles start in `tw`, in entries. */
  stageOff: Int32Array;
  /** Per stage, per j < h: W^j, W^2j, W^3j (re, im), W = e^{-2πi/4h}. */
  tw: Float64Array;
  /** Split twiddles e^{-2πik/n}, k = 0..m/2, interleaved re, im. */
  split: Float64Array;
}

export function radix4Tables(n: number): Radix4Tables {
  const m = n >> 1;
  const levels = Math.round(Math.log2(m));
  const bitrev = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0, v = i; b < levels; b++, v >>= 1) r = (r << 1) | (v & 1);
    bitrev[i] = r;
  }
  const first = levels === 0 ? 1 : levels % 2 === 0 ? 4 : 2;
  const stageH: number[] = [];
  const stageOff: number[] = [];
  let twLen = 0;
  for (let h = first; h * 4 <= m; h *= 4) {
    stageH.push(h);
    stageOff.push(twLen);
    twLen += 6 * h;
  }
  const tw = new Float64Array(Math.max(6, twLen));
  for (let s = 0; s < stageH.length; s++) {
    const h = stageH[s];
    for (let j = 0; j < h; j++) {
      const o = stageOff[s] + 6 * j;
      for (let r = 1; r <= 3; r++) {
        const angle = (-2 * Math.PI * r * j) / (4 * h);
        tw[o + 2 * (r - 1)] = Math.cos(angle);
        tw[o + 2 * (r - 1) + 1] = Math.sin(angle);
      }
    }
  }
  const half = m >> 1;
  const split = new Float64Array(2 * (half + 1));
  for (let k = 0; k <= half; k++) {
    split[2 * k] = Math.cos((2 * Math.PI * k) / n);
    split[2 * k + 1] = -Math.sin((2 * Math.PI * k) / n);
  }
  return {
    m,
    bins: m + 1,
    bitrev,
    first,
    stageH: Int32Array.from(stageH),
    stageOff: Int32Array.from(stageOff),
    tw,
    split,
  };
}

/**
 * Real FFT of a power-of-two `n` (>= 2) as a complex FFT of m = n / 2 packed points: the bit-reversal
 * permutation is folded into the packing read (and the first, twiddle-free radix-2 or radix-4 stage),
 * the remaining stages are radix-4 (3 complex multiplies per 4 points) over one interleaved re/im
 * Float64Array with per-stage twiddle triples stored contiguously; the split pass handles bins k and
 * m - k together.
 */
export function createPowerFft(n: number): PowerFft {
  const { m, bins, bitrev, first, stageH: hs, stageOff: offs, tw, split } = radix4Tables(n);
  const stages = hs.length;
  const half = m >> 1;
  const z = new Float64Array(2 * m);
  const ones = new Float64Array(n).fill(1);
  const q1 = m >> 1;
  const q2 = m >> 2;
  const q3 = q1 + q2;
  const q8 = m >> 3;

  /** Windowed, packed, bit-reversed input and the first stage, then the radix-4 stages. */
  const complexFft = (x: Float64Array, offset: number, w: Float64Array): void => {
    if (first === 4) {
      for (let p = 0; p < m; p += 4) {
        const s0 = bitrev[p];
        const e0 = 2 * s0;
        const e1 = 2 * (s0 + q1);
        const e2 = 2 * (s0 + q2);
        const e3 = 2 * (s0 + q3);
        const ar = x[offset + e0] * w[e0];
        const ai = x[offset + e0 + 1] * w[e0 + 1];
        const br = x[offset + e1] * w[e1];
        const bi = x[offset + e1 + 1] * w[e1 + 1];
        const cr = x[offset + e2] * w[e2];
        const ci = x[offset + e2 + 1] * w[e2 + 1];
        const dr = x[offset + e3] * w[e3];
        const di = x[offset + e3 + 1] * w[e3 + 1];
        // a: residue 0, b: residue 2, c: residue 1, d: residue 3 (all twiddles 1).
        const t0r = ar + br;
        const t0i = ai + bi;
        const t1r = ar - br;
        const t1i = ai - bi;
        const t2r = cr + dr;
        const t2i = ci + di;
        const t3r = cr - dr;
        const t3i = ci - di;
        const o = 2 * p;
        z[o] = t0r + t2r;
        z[o + 1] = t0i + t2i;
        z[o + 4] = t0r - t2r;
        z[o + 5] = t0i - t2i;
        z[o + 2] = t1r + t3i;
        z[o + 3] = t1i - t3r;
        z[o + 6] = t1r - t3i;
        z[o + 7] = t1i + t3r;
      }
    } else if (first === 2 && m >= 8) {
      // Radix-2 first stage and the quarter-size-2 radix-4 stage fused: 8 points in registers.
      const r = Math.SQRT1_2;
      for (let p = 0; p < m; p += 8) {
        const s = bitrev[p];
        const e0 = 2 * s;
        const v0r = x[offset + e0] * w[e0];
        const v0i = x[offset + e0 + 1] * w[e0 + 1];
        const e1 = 2 * (s + 4 * q8);
        const v1r = x[offset + e1] * w[e1];
        const v1i = x[offset + e1 + 1] * w[e1 + 1];
        const e2 = 2 * (s + 2 * q8);
        const v2r = x[offset + e2] * w[e2];
        const v2i = x[offset + e2 + 1] * w[e2 + 1];
        const e3 = 2 * (s + 6 * q8);
        const v3r = x[offset + e3] * w[e3];
        const v3i = x[offset + e3 + 1] * w[e3 + 1];
        const e4 = 2 * (s + 1 * q8);
        const v4r = x[offset + e4] * w[e4];
        const v4i = x[offset + e4 + 1] * w[e4 + 1];
        const e5 = 2 * (s + 5 * q8);
        const v5r = x[offset + e5] * w[e5];
        const v5i = x[offset + e5 + 1] * w[e5 + 1];
        const e6 = 2 * (s + 3 * q8);
        const v6r = x[offset + e6] * w[e6];
        const v6i = x[offset + e6 + 1] * w[e6 + 1];
        const e7 = 2 * (s + 7 * q8);
        const v7r = x[offset + e7] * w[e7];
        const v7i = x[offset + e7 + 1] * w[e7 + 1];
        const u0r = v0r + v1r;
        const u0i = v0i + v1i;
        const u1r = v0r - v1r;
        const u1i = v0i - v1i;
        const u2r = v2r + v3r;
        const u2i = v2i + v3i;
        const u3r = v2r - v3r;
        const u3i = v2i - v3i;
        const u4r = v4r + v5r;
        const u4i = v4i + v5i;
        const u5r = v4r - v5r;
        const u5i = v4i - v5i;
        const u6r = v6r + v7r;
        const u6i = v6i + v7i;
        const u7r = v6r - v7r;
        const u7i = v6i - v7i;
        const o = 2 * p;
        {
          const t0r = u0r + u2r;
          const t0i = u0i + u2i;
          const t1r = u0r - u2r;
          const t1i = u0i - u2i;
          const t2r = u4r + u6r;
          const t2i = u4i + u6i;
          const t3r = u4r - u6r;
          const t3i = u4i - u6i;
          z[o] = t0r + t2r;
          z[o + 1] = t0i + t2i;
          z[o + 8] = t0r - t2r;
          z[o + 9] = t0i - t2i;
          z[o + 4] = t1r + t3i;
          z[o + 5] = t1i - t3r;
          z[o + 12] = t1r - t3i;
          z[o + 13] = t1i + t3r;
        }
        {
          const a2r = u3i;
          const a2i = -u3r;
          const a1r = r * (u5r + u5i);
          const a1i = r * (u5i - u5r);
          const a3r = r * (u7i - u7r);
          const a3i = -r * (u7r + u7i);
          const t0r = u1r + a2r;
          const t0i = u1i + a2i;
          const t1r = u1r - a2r;
          const t1i = u1i - a2i;
          const t2r = a1r + a3r;
          const t2i = a1i + a3i;
          const t3r = a1r - a3r;
          const t3i = a1i - a3i;
          z[o + 2] = t0r + t2r;
          z[o + 3] = t0i + t2i;
          z[o + 10] = t0r - t2r;
          z[o + 11] = t0i - t2i;
          z[o + 6] = t1r + t3i;
          z[o + 7] = t1i - t3r;
          z[o + 14] = t1r - t3i;
          z[o + 15] = t1i + t3r;
        }
      }
    } else if (first === 2) {
      for (let p = 0; p < m; p += 2) {
        const s0 = bitrev[p];
        const e0 = 2 * s0;
        const e1 = 2 * (s0 + q1);
        const ar = x[offset + e0] * w[e0];
        const ai = x[offset + e0 + 1] * w[e0 + 1];
        const br = x[offset + e1] * w[e1];
        const bi = x[offset + e1 + 1] * w[e1 + 1];
        const o = 2 * p;
        z[o] = ar + br;
        z[o + 1] = ai + bi;
        z[o + 2] = ar - br;
        z[o + 3] = ai - bi;
      }
    } else {
      z[0] = x[offset] * w[0];
      z[1] = x[offset + 1] * w[1];
    }
    let s0 = 0;
    if (first === 2 && m >= 8) {
      s0 = 1;
    }
    for (let s = s0; s < stages; s++) {
      const h = hs[s];
      const base = offs[s];
      const size = 8 * h; // 4h complex values, interleaved
      const h2 = 2 * h;
      // Few long groups: j inside; many short groups: j outside (twiddles loaded once per j).
      if (h >= 8) {
        for (let start = 0; start < 2 * m; start += size) {
          for (let j = 0, t = base; j < h; j++, t += 6) {
            const ia = start + 2 * j;
            const ib = ia + h2;
            const ic = ib + h2;
            const id = ic + h2;
            const w1r = tw[t];
            const w1i = tw[t + 1];
            const w2r = tw[t + 2];
            const w2i = tw[t + 3];
            const w3r = tw[t + 4];
            const w3i = tw[t + 5];
            const a0r = z[ia];
            const a0i = z[ia + 1];
            // position j+h holds residue 2 (W^2j), j+2h residue 1 (W^j), j+3h residue 3 (W^3j).
            const br = z[ib];
            const bi = z[ib + 1];
            const a2r = br * w2r - bi * w2i;
            const a2i = br * w2i + bi * w2r;
            const cr = z[ic];
            const ci = z[ic + 1];
            const a1r = cr * w1r - ci * w1i;
            const a1i = cr * w1i + ci * w1r;
            const dr = z[id];
            const di = z[id + 1];
            const a3r = dr * w3r - di * w3i;
            const a3i = dr * w3i + di * w3r;
            const t0r = a0r + a2r;
            const t0i = a0i + a2i;
            const t1r = a0r - a2r;
            const t1i = a0i - a2i;
            const t2r = a1r + a3r;
            const t2i = a1i + a3i;
            const t3r = a1r - a3r;
            const t3i = a1i - a3i;
            z[ia] = t0r + t2r;
            z[ia + 1] = t0i + t2i;
            z[ic] = t0r - t2r;
            z[ic + 1] = t0i - t2i;
            z[ib] = t1r + t3i;
            z[ib + 1] = t1i - t3r;
            z[id] = t1r - t3i;
            z[id + 1] = t1i + t3r;
          }
        }
      } else {
        for (let j = 0, t = base; j < h; j++, t += 6) {
          const w1r = tw[t];
          const w1i = tw[t + 1];
          const w2r = tw[t + 2];
          const w2i = tw[t + 3];
          const w3r = tw[t + 4];
          const w3i = tw[t + 5];
          for (let ia = 2 * j; ia < 2 * m; ia += size) {
            const ib = ia + h2;
            const ic = ib + h2;
            const id = ic + h2;
            const a0r = z[ia];
            const a0i = z[ia + 1];
            // position j+h holds residue 2 (W^2j), j+2h residue 1 (W^j), j+3h residue 3 (W^3j).
            const br = z[ib];
            const bi = z[ib + 1];
            const a2r = br * w2r - bi * w2i;
            const a2i = br * w2i + bi * w2r;
            const cr = z[ic];
            const ci = z[ic + 1];
            const a1r = cr * w1r - ci * w1i;
            const a1i = cr * w1i + ci * w1r;
            const dr = z[id];
            const di = z[id + 1];
            const a3r = dr * w3r - di * w3i;
            const a3i = dr * w3i + di * w3r;
            const t0r = a0r + a2r;
            const t0i = a0i + a2i;
            const t1r = a0r - a2r;
            const t1i = a0i - a2i;
            const t2r = a1r + a3r;
            const t2i = a1i + a3i;
            const t3r = a1r - a3r;
            const t3i = a1i - a3i;
            z[ia] = t0r + t2r;
            z[ia + 1] = t0i + t2i;
            z[ic] = t0r - t2r;
            z[ic + 1] = t0i - t2i;
            z[ib] = t1r + t3i;
            z[ib + 1] = t1i - t3r;
            z[id] = t1r - t3i;
            z[id + 1] = t1i + t3r;
          }
        }
      }
    }
  };

  /** Power of X[k] and X[m - k] together from Z[k] and Z[m - k] (computed as 2X, scaled by ¼). */
  const powerInto = (x: Float64Array, offset: number, w: Float64Array, out: Float64Array): void => {
    complexFft(x, offset, w);
    const z0r = z[0];
    const z0i = z[1];
    out[0] = (z0r + z0i) * (z0r + z0i);
    out[m] = (z0r - z0i) * (z0r - z0i);
    for (let k = 1, ka = 2, kb = 2 * m - 2; k < half; k++, ka += 2, kb -= 2) {
      const a = z[ka];
      const b = z[ka + 1];
      const c = z[kb];
      const d = z[kb + 1];
      const er = a + c;
      const ei = b - d;
      const or = b + d;
      const oi = c - a;
      const wr = split[ka];
      const wi = split[ka + 1];
      const p = wr * or - wi * oi;
      const q = wr * oi + wi * or;
      const xr = er + p;
      const xi = ei + q;
      const yr = er - p;
      const yi = q - ei;
      out[k] = 0.25 * (xr * xr + xi * xi);
      out[m - k] = 0.25 * (yr * yr + yi * yi);
    }
    if (half > 0) {
      const a = z[2 * half];
      const b = z[2 * half + 1];
      out[half] = a * a + b * b;
    }
  };

  const pw = new Float64Array(bins);
  return {
    n,
    bins,
    powerInto,
    forward(input, re, im) {
      complexFft(input, 0, ones);
      for (let k = 0; k < bins; k++) {
        const ka = k === m ? 0 : 2 * k;
        const kb = k === 0 ? 0 : 2 * (m - k);
        const a = z[ka];
        const b = z[ka + 1];
        const c = z[kb];
        const d = z[kb + 1];
        const er = (a + c) * 0.5;
        const ei = (b - d) * 0.5;
        const or = (b + d) * 0.5;
        const oi = (c - a) * 0.5;
        const wr = Math.cos((2 * Math.PI * k) / n);
        const wi = -Math.sin((2 * Math.PI * k) / n);
        re[k] = er + wr * or - wi * oi;
        im[k] = ei + wr * oi + wi * or;
      }
    },
    powerFrame(input, offset, window, out, outOffset, magnitude) {
      powerInto(input, offset, window, pw);
      if (magnitude) for (let k = 0; k < bins; k++) out[outOffset + k] = Math.sqrt(pw[k]);
      else for (let k = 0; k < bins; k++) out[outOffset + k] = pw[k];
    },
  };
}

/**
 * The O(n²) DFT over precomputed cos/sin tables: what every size that is not a power of two used
 * before the mixed-radix and Bluestein kernels, kept for n = 1 and as the benchmark's baseline.
 */
export function createDirectRealDft(n: number): RealFft {
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
