// AssemblyScript source of the WebAssembly SIMD log-mel kernel (see src/features/wasm-log-mel.ts).
// Build with `npm run build:wasm -w @omnifuse/modality-audio`; the result is committed as
// src/features/log-mel-wasm.generated.ts and a test checks it matches this file.
//
// Two STFT frames go through the same real FFT at once, one per f64x2 lane: every scalar operation
// of the JavaScript kernel (src/features/fft.ts, src/features/fused.ts) becomes one SIMD operation,
// in the same order and precision, so both kernels give the same values up to rounding.
//
// The tables (window, bit reversal, twiddles, mel runs) are laid out in linear memory by the host;
// twiddles and split factors are stored duplicated into both lanes so they load as one v128.

let m: i32 = 0;
let first: i32 = 0;
let stages: i32 = 0;
let winP: usize = 0; // f64[n]
let bitrevP: usize = 0; // i32[m]
let stageHP: usize = 0; // i32[stages]
let stageOffP: usize = 0; // i32[stages], in twiddle triples * 2 (v128 units / 1)
let twP: usize = 0; // v128[6 per j per stage]: w1r w1i w2r w2i w3r w3i
let splitP: usize = 0; // v128[2 per k, k = 0 .. m / 2]: cos, -sin
let nMels: i32 = 0;
let melStartP: usize = 0; // i32[nMels]
let melLenP: usize = 0; // i32[nMels]
let melOffP: usize = 0; // i32[nMels]
let runsP: usize = 0; // f64[sum of lengths]
let zP: usize = 0; // v128[2 m]: re, im per point
let pwP: usize = 0; // v128[m + 1]
let amin: f64 = 1e-10;
let dbScale: f64 = 0;
let dbOffset: f64 = 0;

export function heapBase(): usize {
  return __heap_base;
}

export function init(
  nFft: i32,
  firstRadix: i32,
  stageCount: i32,
  window: usize,
  bitrev: usize,
  stageH: usize,
  stageOff: usize,
  twiddles: usize,
  split: usize,
  mels: i32,
  melStart: usize,
  melLen: usize,
  melOff: usize,
  runs: usize,
  scratchZ: usize,
  scratchPower: usize,
  aminValue: f64,
  scale: f64,
  offset: f64,
): void {
  m = nFft >> 1;
  first = firstRadix;
  stages = stageCount;
  winP = window;
  bitrevP = bitrev;
  stageHP = stageH;
  stageOffP = stageOff;
  twP = twiddles;
  splitP = split;
  nMels = mels;
  melStartP = melStart;
  melLenP = melLen;
  melOffP = melOff;
  runsP = runs;
  zP = scratchZ;
  pwP = scratchPower;
  amin = aminValue;
  dbScale = scale;
  dbOffset = offset;
}

/** Frame A's sample `e` in lane 0, frame B's in lane 1, times the window (same for both). */
// @ts-expect-error: decorator
@inline
function windowed(a: usize, b: usize, e: i32): v128 {
  const byte = <usize>e << 3;
  const x = v128.load64_lane(b + byte, v128.load64_splat(a + byte), 1);
  return f64x2.mul(x, v128.load64_splat(winP + byte));
}

// @ts-expect-error: decorator
@inline
function re(p: i32): usize {
  return zP + (<usize>p << 5);
}

/** Windowed, packed, bit-reversed input of two frames, the first stage, then the radix-4 stages. */
function complexFft(a: usize, b: usize): void {
  if (first == 4) {
    const q1 = m >> 1;
    const q2 = m >> 2;
    const q3 = q1 + q2;
    for (let p = 0; p < m; p += 4) {
      const s0 = load<i32>(bitrevP + (<usize>p << 2));
      const e0 = 2 * s0;
      const e1 = 2 * (s0 + q1);
      const e2 = 2 * (s0 + q2);
      const e3 = 2 * (s0 + q3);
      const ar = windowed(a, b, e0);
      const ai = windowed(a, b, e0 + 1);
      const br = windowed(a, b, e1);
      const bi = windowed(a, b, e1 + 1);
      const cr = windowed(a, b, e2);
      const ci = windowed(a, b, e2 + 1);
      const dr = windowed(a, b, e3);
      const di = windowed(a, b, e3 + 1);
      const t0r = f64x2.add(ar, br);
      const t0i = f64x2.add(ai, bi);
      const t1r = f64x2.sub(ar, br);
      const t1i = f64x2.sub(ai, bi);
      const t2r = f64x2.add(cr, dr);
      const t2i = f64x2.add(ci, di);
      const t3r = f64x2.sub(cr, dr);
      const t3i = f64x2.sub(ci, di);
      const o = re(p);
      v128.store(o, f64x2.add(t0r, t2r));
      v128.store(o, f64x2.add(t0i, t2i), 16);
      v128.store(o, f64x2.sub(t0r, t2r), 64);
      v128.store(o, f64x2.sub(t0i, t2i), 80);
      v128.store(o, f64x2.add(t1r, t3i), 32);
      v128.store(o, f64x2.sub(t1i, t3r), 48);
      v128.store(o, f64x2.sub(t1r, t3i), 96);
      v128.store(o, f64x2.add(t1i, t3r), 112);
    }
  } else if (first == 2 && m >= 8) {
    // Radix-2 first stage and the quarter-size-2 radix-4 stage fused: 8 points in registers.
    const q8 = m >> 3;
    const r = f64x2.splat(0.7071067811865476);
    for (let p = 0; p < m; p += 8) {
      const s = load<i32>(bitrevP + (<usize>p << 2));
      const e0 = 2 * s;
      const e1 = 2 * (s + 4 * q8);
      const e2 = 2 * (s + 2 * q8);
      const e3 = 2 * (s + 6 * q8);
      const e4 = 2 * (s + q8);
      const e5 = 2 * (s + 5 * q8);
      const e6 = 2 * (s + 3 * q8);
      const e7 = 2 * (s + 7 * q8);
      const v0r = windowed(a, b, e0);
      const v0i = windowed(a, b, e0 + 1);
      const v1r = windowed(a, b, e1);
      const v1i = windowed(a, b, e1 + 1);
      const v2r = windowed(a, b, e2);
      const v2i = windowed(a, b, e2 + 1);
      const v3r = windowed(a, b, e3);
      const v3i = windowed(a, b, e3 + 1);
      const v4r = windowed(a, b, e4);
      const v4i = windowed(a, b, e4 + 1);
      const v5r = windowed(a, b, e5);
      const v5i = windowed(a, b, e5 + 1);
      const v6r = windowed(a, b, e6);
      const v6i = windowed(a, b, e6 + 1);
      const v7r = windowed(a, b, e7);
      const v7i = windowed(a, b, e7 + 1);
      const u0r = f64x2.add(v0r, v1r);
      const u0i = f64x2.add(v0i, v1i);
      const u1r = f64x2.sub(v0r, v1r);
      const u1i = f64x2.sub(v0i, v1i);
      const u2r = f64x2.add(v2r, v3r);
      const u2i = f64x2.add(v2i, v3i);
      const u3r = f64x2.sub(v2r, v3r);
      const u3i = f64x2.sub(v2i, v3i);
      const u4r = f64x2.add(v4r, v5r);
      const u4i = f64x2.add(v4i, v5i);
      const u5r = f64x2.sub(v4r, v5r);
      const u5i = f64x2.sub(v4i, v5i);
      const u6r = f64x2.add(v6r, v7r);
      const u6i = f64x2.add(v6i, v7i);
      const u7r = f64x2.sub(v6r, v7r);
      const u7i = f64x2.sub(v6i, v7i);
      const o = re(p);
      {
        const t0r = f64x2.add(u0r, u2r);
        const t0i = f64x2.add(u0i, u2i);
        const t1r = f64x2.sub(u0r, u2r);
        const t1i = f64x2.sub(u0i, u2i);
        const t2r = f64x2.add(u4r, u6r);
        const t2i = f64x2.add(u4i, u6i);
        const t3r = f64x2.sub(u4r, u6r);
        const t3i = f64x2.sub(u4i, u6i);
        v128.store(o, f64x2.add(t0r, t2r));
        v128.store(o, f64x2.add(t0i, t2i), 16);
        v128.store(o, f64x2.sub(t0r, t2r), 128);
        v128.store(o, f64x2.sub(t0i, t2i), 144);
        v128.store(o, f64x2.add(t1r, t3i), 64);
        v128.store(o, f64x2.sub(t1i, t3r), 80);
        v128.store(o, f64x2.sub(t1r, t3i), 192);
        v128.store(o, f64x2.add(t1i, t3r), 208);
      }
      {
        const a2r = u3i;
        const a2i = f64x2.neg(u3r);
        const a1r = f64x2.mul(r, f64x2.add(u5r, u5i));
        const a1i = f64x2.mul(r, f64x2.sub(u5i, u5r));
        const a3r = f64x2.mul(r, f64x2.sub(u7i, u7r));
        const a3i = f64x2.mul(f64x2.neg(r), f64x2.add(u7r, u7i));
        const t0r = f64x2.add(u1r, a2r);
        const t0i = f64x2.add(u1i, a2i);
        const t1r = f64x2.sub(u1r, a2r);
        const t1i = f64x2.sub(u1i, a2i);
        const t2r = f64x2.add(a1r, a3r);
        const t2i = f64x2.add(a1i, a3i);
        const t3r = f64x2.sub(a1r, a3r);
        const t3i = f64x2.sub(a1i, a3i);
        v128.store(o, f64x2.add(t0r, t2r), 32);
        v128.store(o, f64x2.add(t0i, t2i), 48);
        v128.store(o, f64x2.sub(t0r, t2r), 160);
        v128.store(o, f64x2.sub(t0i, t2i), 176);
        v128.store(o, f64x2.add(t1r, t3i), 96);
        v128.store(o, f64x2.sub(t1i, t3r), 112);
        v128.store(o, f64x2.sub(t1r, t3i), 224);
        v128.store(o, f64x2.add(t1i, t3r), 240);
      }
    }
  } else if (first == 2) {
    const q1 = m >> 1;
    for (let p = 0; p < m; p += 2) {
      const s0 = load<i32>(bitrevP + (<usize>p << 2));
      const e0 = 2 * s0;
      const e1 = 2 * (s0 + q1);
      const ar = windowed(a, b, e0);
      const ai = windowed(a, b, e0 + 1);
      const br = windowed(a, b, e1);
      const bi = windowed(a, b, e1 + 1);
      const o = re(p);
      v128.store(o, f64x2.add(ar, br));
      v128.store(o, f64x2.add(ai, bi), 16);
      v128.store(o, f64x2.sub(ar, br), 32);
      v128.store(o, f64x2.sub(ai, bi), 48);
    }
  } else {
    v128.store(zP, windowed(a, b, 0));
    v128.store(zP, windowed(a, b, 1), 16);
  }
  for (let s = first == 2 && m >= 8 ? 1 : 0; s < stages; s++) {
    const h = load<i32>(stageHP + (<usize>s << 2));
    const base = twP + (<usize>load<i32>(stageOffP + (<usize>s << 2)) << 4);
    const size = 4 * h;
    for (let start = 0; start < m; start += size) {
      let t = base;
      for (let j = 0; j < h; j++, t += 96) {
        const pa = re(start + j);
        const pb = re(start + j + h);
        const pc = re(start + j + 2 * h);
        const pd = re(start + j + 3 * h);
        const w1r = v128.load(t);
        const w1i = v128.load(t, 16);
        const w2r = v128.load(t, 32);
        const w2i = v128.load(t, 48);
        const w3r = v128.load(t, 64);
        const w3i = v128.load(t, 80);
        const a0r = v128.load(pa);
        const a0i = v128.load(pa, 16);
        // position j+h holds residue 2 (W^2j), j+2h residue 1 (W^j), j+3h residue 3 (W^3j).
        const br = v128.load(pb);
        const bi = v128.load(pb, 16);
        const a2r = f64x2.sub(f64x2.mul(br, w2r), f64x2.mul(bi, w2i));
        const a2i = f64x2.add(f64x2.mul(br, w2i), f64x2.mul(bi, w2r));
        const cr = v128.load(pc);
        const ci = v128.load(pc, 16);
        const a1r = f64x2.sub(f64x2.mul(cr, w1r), f64x2.mul(ci, w1i));
        const a1i = f64x2.add(f64x2.mul(cr, w1i), f64x2.mul(ci, w1r));
        const dr = v128.load(pd);
        const di = v128.load(pd, 16);
        const a3r = f64x2.sub(f64x2.mul(dr, w3r), f64x2.mul(di, w3i));
        const a3i = f64x2.add(f64x2.mul(dr, w3i), f64x2.mul(di, w3r));
        const t0r = f64x2.add(a0r, a2r);
        const t0i = f64x2.add(a0i, a2i);
        const t1r = f64x2.sub(a0r, a2r);
        const t1i = f64x2.sub(a0i, a2i);
        const t2r = f64x2.add(a1r, a3r);
        const t2i = f64x2.add(a1i, a3i);
        const t3r = f64x2.sub(a1r, a3r);
        const t3i = f64x2.sub(a1i, a3i);
        v128.store(pa, f64x2.add(t0r, t2r));
        v128.store(pa, f64x2.add(t0i, t2i), 16);
        v128.store(pc, f64x2.sub(t0r, t2r));
        v128.store(pc, f64x2.sub(t0i, t2i), 16);
        v128.store(pb, f64x2.add(t1r, t3i));
        v128.store(pb, f64x2.sub(t1i, t3r), 16);
        v128.store(pd, f64x2.sub(t1r, t3i));
        v128.store(pd, f64x2.add(t1i, t3r), 16);
      }
    }
  }
}

/** One-sided power spectra of both frames from the packed complex FFT (the split pass). */
function splitPower(): void {
  const half = m >> 1;
  const quarter = f64x2.splat(0.25);
  const z0r = v128.load(zP);
  const z0i = v128.load(zP, 16);
  const sum = f64x2.add(z0r, z0i);
  const diff = f64x2.sub(z0r, z0i);
  v128.store(pwP, f64x2.mul(sum, sum));
  v128.store(pwP + (<usize>m << 4), f64x2.mul(diff, diff));
  for (let k = 1; k < half; k++) {
    const pk = re(k);
    const pmk = re(m - k);
    const a = v128.load(pk);
    const b = v128.load(pk, 16);
    const c = v128.load(pmk);
    const d = v128.load(pmk, 16);
    const er = f64x2.add(a, c);
    const ei = f64x2.sub(b, d);
    const or = f64x2.add(b, d);
    const oi = f64x2.sub(c, a);
    const sp = splitP + (<usize>k << 5);
    const wr = v128.load(sp);
    const wi = v128.load(sp, 16);
    const p = f64x2.sub(f64x2.mul(wr, or), f64x2.mul(wi, oi));
    const q = f64x2.add(f64x2.mul(wr, oi), f64x2.mul(wi, or));
    const xr = f64x2.add(er, p);
    const xi = f64x2.add(ei, q);
    const yr = f64x2.sub(er, p);
    const yi = f64x2.sub(q, ei);
    v128.store(pwP + (<usize>k << 4), f64x2.mul(quarter, f64x2.add(f64x2.mul(xr, xr), f64x2.mul(xi, xi))));
    v128.store(
      pwP + (<usize>(m - k) << 4),
      f64x2.mul(quarter, f64x2.add(f64x2.mul(yr, yr), f64x2.mul(yi, yi))),
    );
  }
  if (half > 0) {
    const ph = re(half);
    const a = v128.load(ph);
    const b = v128.load(ph, 16);
    v128.store(pwP + (<usize>half << 4), f64x2.add(f64x2.mul(a, a), f64x2.mul(b, b)));
  }
}

// fdlibm's e_log.c coefficients: log(1 + f) = f - f²/2 + s (f²/2 + R(s²)), s = f / (2 + f).
const LG1: f64 = 6.666666666666735130e-1;
const LG2: f64 = 3.999999999940941908e-1;
const LG3: f64 = 2.857142874366239149e-1;
const LG4: f64 = 2.222219843214978396e-1;
const LG5: f64 = 1.818357216161805012e-1;
const LG6: f64 = 1.531383769920937332e-1;
const LG7: f64 = 1.479819860511658591e-1;
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;

/** Natural log of two positive, finite, normal doubles (< 1 ulp error, as fdlibm's `log`). */
// @ts-expect-error: decorator
@inline
function log2x(x: v128): v128 {
  // x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)).
  const exponent = i64x2.shr_u(x, 52);
  let mantissa = v128.or(v128.and(x, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
  const big = f64x2.gt(mantissa, f64x2.splat(1.4142135623730951));
  mantissa = v128.bitselect(f64x2.mul(mantissa, f64x2.splat(0.5)), mantissa, big);
  // 2^52 + e as a double, minus 2^52 + 1023: the unbiased exponent as f64 without a conversion op.
  const k = f64x2.add(
    f64x2.sub(v128.or(exponent, i64x2.splat(0x4330000000000000)), f64x2.splat(4503599627371519.0)),
    v128.and(big, f64x2.splat(1.0)),
  );
  const f = f64x2.sub(mantissa, f64x2.splat(1.0));
  const hfsq = f64x2.mul(f64x2.splat(0.5), f64x2.mul(f, f));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(
    w,
    f64x2.add(f64x2.splat(LG2), f64x2.mul(w, f64x2.add(f64x2.splat(LG4), f64x2.mul(w, f64x2.splat(LG6))))),
  );
  const t2 = f64x2.mul(
    z,
    f64x2.add(
      f64x2.splat(LG1),
      f64x2.mul(
        w,
        f64x2.add(f64x2.splat(LG3), f64x2.mul(w, f64x2.add(f64x2.splat(LG5), f64x2.mul(w, f64x2.splat(LG7))))),
      ),
    ),
  );
  const r = f64x2.add(t2, t1);
  const inner = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.mul(k, f64x2.splat(LN2_LO)));
  return f64x2.sub(f64x2.mul(k, f64x2.splat(LN2_HI)), f64x2.sub(f64x2.sub(hfsq, inner), f));
}

/**
 * Σ weights[i] · vectors[i] for i < len: scalar f64 weights (applied to both lanes) times v128
 * vectors, with two accumulators (the sums are short, so one chain would be add-latency bound).
 */
// @ts-ignore: decorator
@inline
function splatDot(weights: usize, vectors: usize, len: i32): v128 {
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const w = weights + (<usize>i << 3);
    const v = vectors + (<usize>i << 4);
    s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(w), v128.load(v)));
    s2 = f64x2.add(s2, f64x2.mul(v128.load64_splat(w, 8), v128.load(v, 16)));
  }
  if (i < len) s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(weights + (<usize>i << 3)), v128.load(vectors + (<usize>i << 4))));
  return f64x2.add(s1, s2);
}

/**
 * `scale · ln(max(mel power, amin)) − offset` for `frames` frames of `hopLength` samples' stride
 * from the padded signal at `padded` into `out[frame · nMels + mel]`; returns the largest value.
 */
export function melDb(padded: usize, hopLength: i32, frames: i32, out: usize): f64 {
  const floor = f64x2.splat(amin);
  const scale = f64x2.splat(dbScale);
  const offset = f64x2.splat(dbOffset);
  let max = f64x2.splat(-Infinity);
  for (let t = 0; t < frames; t += 2) {
    const pair = t + 1 < frames;
    const a = padded + (<usize>(t * hopLength) << 3);
    const b = pair ? a + (<usize>hopLength << 3) : a;
    complexFft(a, b);
    splitPower();
    const rowA = out + (<usize>(t * nMels) << 3);
    const rowB = rowA + (<usize>nMels << 3);
    for (let mel = 0; mel < nMels; mel++) {
      const start = load<i32>(melStartP + (<usize>mel << 2));
      const len = load<i32>(melLenP + (<usize>mel << 2));
      const weights = runsP + (<usize>load<i32>(melOffP + (<usize>mel << 2)) << 3);
      const bins = pwP + (<usize>start << 4);
      const power = f64x2.pmax(floor, splatDot(weights, bins, len));
      const db = f64x2.sub(f64x2.mul(scale, log2x(power)), offset);
      max = f64x2.pmax(max, db);
      store<f64>(rowA + (<usize>mel << 3), f64x2.extract_lane(db, 0));
      if (pair) store<f64>(rowB + (<usize>mel << 3), f64x2.extract_lane(db, 1));
    }
  }
  const m0 = f64x2.extract_lane(max, 0);
  const m1 = f64x2.extract_lane(max, 1);
  return m0 > m1 ? m0 : m1;
}

/**
 * MFCC of the dB rows `melDb` wrote at `values`: each value clipped below at `floorDb` (top_db),
 * then the orthonormal DCT-II with the basis folded by symmetry (`basis`: `[nMfcc, ceil(nMels/2)]`
 * rows of the first half; even rows act on mirrored sums, odd rows on differences), two frames per
 * vector. Writes `out[frame · nMfcc + k]`; `fold` is scratch for `2 ceil(nMels/2)` v128.
 */
export function mfcc(values: usize, frames: i32, floorDb: f64, basis: usize, nMfcc: i32, fold: usize, out: usize): void {
  const half = nMels >> 1;
  const odd = nMels & 1;
  const foldLen = half + odd;
  const sums = fold;
  const diffs = fold + (<usize>foldLen << 4);
  const floor = f64x2.splat(floorDb);
  for (let t = 0; t < frames; t += 2) {
    const pair = t + 1 < frames;
    const rowA = values + (<usize>(t * nMels) << 3);
    const rowB = pair ? rowA + (<usize>nMels << 3) : rowA;
    for (let i = 0; i < half; i++) {
      const lo = <usize>i << 3;
      const hi = <usize>(nMels - 1 - i) << 3;
      const a = f64x2.pmax(floor, v128.load64_lane(rowB + lo, v128.load64_splat(rowA + lo), 1));
      const b = f64x2.pmax(floor, v128.load64_lane(rowB + hi, v128.load64_splat(rowA + hi), 1));
      v128.store(sums + (<usize>i << 4), f64x2.add(a, b));
      v128.store(diffs + (<usize>i << 4), f64x2.sub(a, b));
    }
    if (odd) {
      const mid = <usize>half << 3;
      const c = f64x2.pmax(floor, v128.load64_lane(rowB + mid, v128.load64_splat(rowA + mid), 1));
      v128.store(sums + (<usize>half << 4), c);
      v128.store(diffs + (<usize>half << 4), f64x2.splat(0));
    }
    const outA = out + (<usize>(t * nMfcc) << 3);
    const outB = outA + (<usize>nMfcc << 3);
    for (let k = 0; k < nMfcc; k++) {
      const src = (k & 1) == 0 ? sums : diffs;
      const row = basis + (<usize>(k * foldLen) << 3);
      const sum = splatDot(row, src, foldLen);
      store<f64>(outA + (<usize>k << 3), f64x2.extract_lane(sum, 0));
      if (pair) store<f64>(outB + (<usize>k << 3), f64x2.extract_lane(sum, 1));
    }
  }
}
