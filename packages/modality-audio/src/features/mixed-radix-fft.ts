import type { ComplexFft } from './fft-types.js';

/** One Stockham pass: `m` groups of `radix` inputs `m · s` apart, each butterfly repeated `s` times. */
interface Pass {
  radix: number;
  m: number;
  s: number;
  /** Per group p < m, per k = 1 .. radix − 1: W^{pk} (re, im), W = e^{−2πi / (radix · m)}. */
  tw: Float64Array;
}

/**
 * The radices of a mixed-radix plan for `n`, in pass order: 4s (and one 2 for an odd power of two),
 * then the odd prime factors in increasing order. Every factor gets its own pass, so this is only
 * cheap when they are all small; `createComplexFft` decides that.
 */
export function radixFactors(n: number): number[] {
  const factors: number[] = [];
  let rest = n;
  while (rest % 4 === 0) {
    factors.push(4);
    rest /= 4;
  }
  if (rest % 2 === 0) {
    factors.push(2);
    rest /= 2;
  }
  for (let p = 3; p * p <= rest; p += 2) {
    while (rest % p === 0) {
      factors.push(p);
      rest /= p;
    }
  }
  if (rest > 1) factors.push(rest);
  return factors;
}

/**
 * A complex DFT of any size `n` as a self-sorting (Stockham, decimation in frequency) sequence of
 * passes, one per factor of {@link radixFactors}: radix 2, 3, 4 and 5 butterflies written out, any
 * other odd factor p by its DFT with the inputs j and p − j paired (about p² / 2 multiplies per
 * butterfly). No bit reversal: each pass reads one buffer and writes the other.
 */
export function createMixedRadixFft(n: number): ComplexFft {
  const passes: Pass[] = [];
  let s = 1;
  let length = n;
  for (const radix of radixFactors(n)) {
    const m = length / radix;
    const tw = new Float64Array(2 * m * (radix - 1));
    // W^{pk} of a length-`length` DFT is e^{−2πi · (pk · n / length mod n) / n}: exact integer phase.
    const step = n / length;
    for (let p = 0; p < m; p++) {
      for (let k = 1; k < radix; k++) {
        const angle = (-2 * Math.PI * ((p * k * step) % n)) / n;
        const o = 2 * (p * (radix - 1) + k - 1);
        tw[o] = Math.cos(angle);
        tw[o + 1] = Math.sin(angle);
      }
    }
    passes.push({ radix, m, s, tw });
    s *= radix;
    length = m;
  }
  const odd = new Map<number, OddRadix>();
  for (const { radix } of passes) {
    if (radix > 5 && !odd.has(radix)) odd.set(radix, oddRadix(radix));
  }
  const work = new Float64Array(2 * n);

  return {
    n,
    algorithm: 'mixed-radix',
    transform(src, dst) {
      if (passes.length === 0) {
        dst[0] = src[0];
        dst[1] = src[1];
        return;
      }
      // src → work → src → … with the last pass writing dst.
      let from = src;
      for (let i = 0; i < passes.length; i++) {
        const to = i === passes.length - 1 ? dst : from === src ? work : src;
        const { radix, m, s, tw } = passes[i];
        if (radix === 4) radix4(from, to, m, s, tw);
        else if (radix === 2) radix2(from, to, m, s, tw);
        else if (radix === 3) radix3(from, to, m, s, tw);
        else if (radix === 5) radix5(from, to, m, s, tw);
        else radixOdd(from, to, m, s, tw, odd.get(radix)!);
        from = to;
      }
    },
  };
}

function radix2(x: Float64Array, y: Float64Array, m: number, s: number, tw: Float64Array): void {
  const ms = 2 * m * s;
  const os = 2 * s;
  for (let p = 0; p < m; p++) {
    const wr = tw[2 * p];
    const wi = tw[2 * p + 1];
    const ib = 2 * s * p;
    const ob = 4 * s * p;
    for (let q = 0; q < os; q += 2) {
      const i = ib + q;
      const ar = x[i];
      const ai = x[i + 1];
      const br = x[i + ms];
      const bi = x[i + ms + 1];
      const o = ob + q;
      y[o] = ar + br;
      y[o + 1] = ai + bi;
      const dr = ar - br;
      const di = ai - bi;
      y[o + os] = dr * wr - di * wi;
      y[o + os + 1] = dr * wi + di * wr;
    }
  }
}

function radix3(x: Float64Array, y: Float64Array, m: number, s: number, tw: Float64Array): void {
  const c = Math.sqrt(3) / 2;
  const ms = 2 * m * s;
  const os = 2 * s;
  for (let p = 0; p < m; p++) {
    const t = 4 * p;
    const w1r = tw[t];
    const w1i = tw[t + 1];
    const w2r = tw[t + 2];
    const w2i = tw[t + 3];
    const ib = 2 * s * p;
    const ob = 6 * s * p;
    for (let q = 0; q < os; q += 2) {
      const i = ib + q;
      const a0r = x[i];
      const a0i = x[i + 1];
      const a1r = x[i + ms];
      const a1i = x[i + ms + 1];
      const a2r = x[i + 2 * ms];
      const a2i = x[i + 2 * ms + 1];
      const tr = a1r + a2r;
      const ti = a1i + a2i;
      const mr = a0r - 0.5 * tr;
      const mi = a0i - 0.5 * ti;
      // ∓i · (√3 / 2) · (a1 − a2)
      const ur = c * (a1i - a2i);
      const ui = -c * (a1r - a2r);
      const b1r = mr + ur;
      const b1i = mi + ui;
      const b2r = mr - ur;
      const b2i = mi - ui;
      const o = ob + q;
      y[o] = a0r + tr;
      y[o + 1] = a0i + ti;
      y[o + os] = b1r * w1r - b1i * w1i;
      y[o + os + 1] = b1r * w1i + b1i * w1r;
      y[o + 2 * os] = b2r * w2r - b2i * w2i;
      y[o + 2 * os + 1] = b2r * w2i + b2i * w2r;
    }
  }
}

function radix4(x: Float64Array, y: Float64Array, m: number, s: number, tw: Float64Array): void {
  const ms = 2 * m * s;
  const os = 2 * s;
  for (let p = 0; p < m; p++) {
    const t = 6 * p;
    const w1r = tw[t];
    const w1i = tw[t + 1];
    const w2r = tw[t + 2];
    const w2i = tw[t + 3];
    const w3r = tw[t + 4];
    const w3i = tw[t + 5];
    const ib = 2 * s * p;
    const ob = 8 * s * p;
    for (let q = 0; q < os; q += 2) {
      const i = ib + q;
      const a0r = x[i];
      const a0i = x[i + 1];
      const a1r = x[i + ms];
      const a1i = x[i + ms + 1];
      const a2r = x[i + 2 * ms];
      const a2i = x[i + 2 * ms + 1];
      const a3r = x[i + 3 * ms];
      const a3i = x[i + 3 * ms + 1];
      const t0r = a0r + a2r;
      const t0i = a0i + a2i;
      const t1r = a0r - a2r;
      const t1i = a0i - a2i;
      const t2r = a1r + a3r;
      const t2i = a1i + a3i;
      const t3r = a1r - a3r;
      const t3i = a1i - a3i;
      // b1 = t1 − i·t3, b2 = t0 − t2, b3 = t1 + i·t3
      const b1r = t1r + t3i;
      const b1i = t1i - t3r;
      const b2r = t0r - t2r;
      const b2i = t0i - t2i;
      const b3r = t1r - t3i;
      const b3i = t1i + t3r;
      const o = ob + q;
      y[o] = t0r + t2r;
      y[o + 1] = t0i + t2i;
      y[o + os] = b1r * w1r - b1i * w1i;
      y[o + os + 1] = b1r * w1i + b1i * w1r;
      y[o + 2 * os] = b2r * w2r - b2i * w2i;
      y[o + 2 * os + 1] = b2r * w2i + b2i * w2r;
      y[o + 3 * os] = b3r * w3r - b3i * w3i;
      y[o + 3 * os + 1] = b3r * w3i + b3i * w3r;
    }
  }
}

function radix5(x: Float64Array, y: Float64Array, m: number, s: number, tw: Float64Array): void {
  const c1 = Math.cos((2 * Math.PI) / 5);
  const c2 = Math.cos((4 * Math.PI) / 5);
  const s1 = Math.sin((2 * Math.PI) / 5);
  const s2 = Math.sin((4 * Math.PI) / 5);
  const ms = 2 * m * s;
  const os = 2 * s;
  for (let p = 0; p < m; p++) {
    const t = 8 * p;
    const w1r = tw[t];
    const w1i = tw[t + 1];
    const w2r = tw[t + 2];
    const w2i = tw[t + 3];
    const w3r = tw[t + 4];
    const w3i = tw[t + 5];
    const w4r = tw[t + 6];
    const w4i = tw[t + 7];
    const ib = 2 * s * p;
    const ob = 10 * s * p;
    for (let q = 0; q < os; q += 2) {
      const i = ib + q;
      const a0r = x[i];
      const a0i = x[i + 1];
      const a1r = x[i + ms];
      const a1i = x[i + ms + 1];
      const a2r = x[i + 2 * ms];
      const a2i = x[i + 2 * ms + 1];
      const a3r = x[i + 3 * ms];
      const a3i = x[i + 3 * ms + 1];
      const a4r = x[i + 4 * ms];
      const a4i = x[i + 4 * ms + 1];
      const s14r = a1r + a4r;
      const s14i = a1i + a4i;
      const d14r = a1r - a4r;
      const d14i = a1i - a4i;
      const s23r = a2r + a3r;
      const s23i = a2i + a3i;
      const d23r = a2r - a3r;
      const d23i = a2i - a3i;
      // b_k = a0 + Σ_j (a_j + a_{5−j}) cos(2πjk/5) − i Σ_j (a_j − a_{5−j}) sin(2πjk/5)
      const m1r = a0r + c1 * s14r + c2 * s23r;
      const m1i = a0i + c1 * s14i + c2 * s23i;
      const m2r = a0r + c2 * s14r + c1 * s23r;
      const m2i = a0i + c2 * s14i + c1 * s23i;
      const u1r = s1 * d14i + s2 * d23i;
      const u1i = -(s1 * d14r + s2 * d23r);
      const u2r = s2 * d14i - s1 * d23i;
      const u2i = -(s2 * d14r - s1 * d23r);
      const b1r = m1r + u1r;
      const b1i = m1i + u1i;
      const b4r = m1r - u1r;
      const b4i = m1i - u1i;
      const b2r = m2r + u2r;
      const b2i = m2i + u2i;
      const b3r = m2r - u2r;
      const b3i = m2i - u2i;
      const o = ob + q;
      y[o] = a0r + s14r + s23r;
      y[o + 1] = a0i + s14i + s23i;
      y[o + os] = b1r * w1r - b1i * w1i;
      y[o + os + 1] = b1r * w1i + b1i * w1r;
      y[o + 2 * os] = b2r * w2r - b2i * w2i;
      y[o + 2 * os + 1] = b2r * w2i + b2i * w2r;
      y[o + 3 * os] = b3r * w3r - b3i * w3i;
      y[o + 3 * os + 1] = b3r * w3i + b3i * w3r;
      y[o + 4 * os] = b4r * w4r - b4i * w4i;
      y[o + 4 * os + 1] = b4r * w4i + b4i * w4r;
    }
  }
}

/** Tables of an odd radix p > 5: cos and sin of 2π · jk / p for j, k = 1 .. (p − 1) / 2, and scratch. */
interface OddRadix {
  p: number;
  h: number;
  /** [(k − 1) · h + (j − 1)] */
  cos: Float64Array;
  sin: Float64Array;
  /** Per pair j: a_j + a_{p−j} (re, im), a_j − a_{p−j} (re, im). */
  pairs: Float64Array;
}

function oddRadix(p: number): OddRadix {
  const h = (p - 1) >> 1;
  const cos = new Float64Array(h * h);
  const sin = new Float64Array(h * h);
  for (let k = 1; k <= h; k++) {
    for (let j = 1; j <= h; j++) {
      const angle = (2 * Math.PI * ((j * k) % p)) / p;
      cos[(k - 1) * h + j - 1] = Math.cos(angle);
      sin[(k - 1) * h + j - 1] = Math.sin(angle);
    }
  }
  return { p, h, cos, sin, pairs: new Float64Array(4 * h) };
}

function radixOdd(
  x: Float64Array,
  y: Float64Array,
  m: number,
  s: number,
  tw: Float64Array,
  { p: r, h, cos, sin, pairs }: OddRadix,
): void {
  const ms = 2 * m * s;
  const os = 2 * s;
  for (let p = 0; p < m; p++) {
    const tb = 2 * (r - 1) * p;
    const ib = 2 * s * p;
    const ob = 2 * r * s * p;
    for (let q = 0; q < os; q += 2) {
      const i = ib + q;
      const a0r = x[i];
      const a0i = x[i + 1];
      let sumr = a0r;
      let sumi = a0i;
      for (let j = 1; j <= h; j++) {
        const ia = i + j * ms;
        const ic = i + (r - j) * ms;
        const ar = x[ia];
        const ai = x[ia + 1];
        const cr = x[ic];
        const ci = x[ic + 1];
        const e = 4 * (j - 1);
        pairs[e] = ar + cr;
        pairs[e + 1] = ai + ci;
        pairs[e + 2] = ar - cr;
        pairs[e + 3] = ai - ci;
        sumr += ar + cr;
        sumi += ai + ci;
      }
      const o = ob + q;
      y[o] = sumr;
      y[o + 1] = sumi;
      for (let k = 1; k <= h; k++) {
        let tr = 0;
        let ti = 0;
        let ur = 0;
        let ui = 0;
        for (let j = 0, c = (k - 1) * h; j < h; j++, c++) {
          const cs = cos[c];
          const sn = sin[c];
          const e = 4 * j;
          tr += pairs[e] * cs;
          ti += pairs[e + 1] * cs;
          ur += pairs[e + 3] * sn;
          ui -= pairs[e + 2] * sn;
        }
        // b_k = a0 + t − i·(Σ d sin), b_{r−k} = a0 + t + i·(Σ d sin)
        const bkr = a0r + tr + ur;
        const bki = a0i + ti + ui;
        const bcr = a0r + tr - ur;
        const bci = a0i + ti - ui;
        const wk = tb + 2 * (k - 1);
        const wc = tb + 2 * (r - k - 1);
        const ok = o + k * os;
        const oc = o + (r - k) * os;
        y[ok] = bkr * tw[wk] - bki * tw[wk + 1];
        y[ok + 1] = bkr * tw[wk + 1] + bki * tw[wk];
        y[oc] = bcr * tw[wc] - bci * tw[wc + 1];
        y[oc + 1] = bcr * tw[wc + 1] + bci * tw[wc];
      }
    }
  }
}
