import type { PowerFft } from './fft.js';
import type { MelFilterBank } from './mel.js';
import type { PadMode } from './stft.js';

/** What the fused log-mel / MFCC kernel needs, all built once per extractor. */
export interface FusedLogMelOptions {
  fft: PowerFft;
  window: Float64Array;
  hopLength: number;
  /** Centre padding on each side (0 when not centred). */
  pad: number;
  padMode: PadMode;
  melBank: MelFilterBank;
  ref: number;
  amin: number;
  topDb: number | null;
  /** Orthonormal DCT-II rows `[nMfcc, nMels]` for MFCC; absent for log-mel. */
  dct?: Float64Array;
  nMfcc?: number;
  /** Return float32 (the extractor's final output) rather than float64 (for deltas / CMVN). */
  float32?: boolean;
}

/**
 * STFT power, mel projection and the logarithm in one pass per frame (no `[frames, bins]`
 * spectrogram is materialised), then the top_db clip fused into the output write (log-mel) or into
 * the DCT (MFCC). Scratch buffers are reused between calls; the result is `[frames, nMels]` or
 * `[frames, nMfcc]` in a fresh float32 or float64 array (`options.float32`), identical in formula to
 * `powerToDb(melBank.apply(stft.spectrogram(x)))` followed by the DCT.
 */
export function createFusedLogMel(
  options: FusedLogMelOptions,
): (samples: Float32Array | Float64Array, frames: number) => Float32Array | Float64Array {
  const { fft, window, hopLength, pad, padMode, melBank, amin, topDb, dct } = options;
  const nMels = melBank.nMels;
  const bins = fft.bins;
  // The sparse bank as contiguous runs: filter m covers bins start[m] .. start[m] + len[m] with
  // weights at runs[off[m] ..].
  const start = Int32Array.from(melBank.start);
  const len = new Int32Array(nMels);
  const off = new Int32Array(nMels);
  let total = 0;
  for (let m = 0; m < nMels; m++) {
    len[m] = Math.max(0, melBank.end[m] - melBank.start[m]);
    off[m] = total;
    total += len[m];
  }
  const runs = new Float64Array(Math.max(1, total));
  for (let m = 0; m < nMels; m++)
    for (let i = 0; i < len[m]; i++) runs[off[m] + i] = melBank.weights[m * bins + start[m] + i];

  const scale = 10 / Math.LN10;
  const offset = 10 * Math.log10(Math.max(amin, options.ref));
  const pw = new Float64Array(bins);
  const Out = options.float32 ? Float32Array : Float64Array;
  let padded = new Float64Array(0);
  let logMel = new Float64Array(0);

  const fillPadded = (samples: Float32Array | Float64Array): void => {
    const n = samples.length;
    const need = n + 2 * pad;
    if (padded.length < need) padded = new Float64Array(need);
    padded.set(samples, pad);
    if (pad === 0) return;
    if (padMode === 'constant') {
      padded.fill(0, 0, pad);
      padded.fill(0, pad + n, need);
      return;
    }
    const period = 2 * (n - 1);
    for (let i = 0; i < pad; i++) {
      padded[pad - 1 - i] = samples[reflect(-1 - i, n, period)];
      padded[pad + n + i] = samples[reflect(n + i, n, period)];
    }
  };

  /** Fills logMel[0 .. frames * nMels) with dB values; returns their maximum. */
  const melDb = (frames: number): number => {
    let max = Number.NEGATIVE_INFINITY;
    for (let t = 0, o = 0; t < frames; t++) {
      fft.powerInto(padded, t * hopLength, window, pw);
      for (let m = 0; m < nMels; m++, o++) {
        const s0 = start[m];
        const w0 = off[m];
        const l = len[m];
        // Two accumulators: the runs are short, so a single sum chain is add-latency bound.
        let s1 = 0;
        let s2 = 0;
        let i = 0;
        for (; i + 1 < l; i += 2) {
          s1 += runs[w0 + i] * pw[s0 + i];
          s2 += runs[w0 + i + 1] * pw[s0 + i + 1];
        }
        if (i < l) s1 += runs[w0 + i] * pw[s0 + i];
        const sum = s1 + s2;
        const db = scale * Math.log(sum > amin ? sum : amin) - offset;
        logMel[o] = db;
        if (db > max) max = db;
      }
    }
    return max;
  };

  if (!dct) {
    return (samples, frames) => {
      fillPadded(samples);
      const count = frames * nMels;
      if (logMel.length < count) logMel = new Float64Array(count);
      const max = melDb(frames);
      const floor = topDb === null ? Number.NEGATIVE_INFINITY : max - topDb;
      const out = new Out(count);
      for (let i = 0; i < count; i++) {
        const v = logMel[i];
        out[i] = v < floor ? floor : v;
      }
      return out;
    };
  }

  // MFCC: DCT-II basis rows are (anti)symmetric about the centre (row k: factor (-1)^k), so fold
  // each frame to sums/differences of mirrored mels first and halve the multiplies.
  const nMfcc = options.nMfcc ?? dct.length / nMels;
  const halfMels = nMels >> 1;
  const odd = nMels & 1;
  const foldLen = halfMels + odd;
  const basis = new Float64Array(nMfcc * foldLen);
  for (let k = 0; k < nMfcc; k++)
    for (let i = 0; i < foldLen; i++) basis[k * foldLen + i] = dct[k * nMels + i];
  const sums = new Float64Array(foldLen);
  const diffs = new Float64Array(foldLen);
  return (samples, frames) => {
    fillPadded(samples);
    const count = frames * nMels;
    if (logMel.length < count) logMel = new Float64Array(count);
    const max = melDb(frames);
    const floor = topDb === null ? Number.NEGATIVE_INFINITY : max - topDb;
    const out = new Out(frames * nMfcc);
    for (let t = 0; t < frames; t++) {
      const row = t * nMels;
      for (let i = 0; i < halfMels; i++) {
        let a = logMel[row + i];
        let b = logMel[row + nMels - 1 - i];
        if (a < floor) a = floor;
        if (b < floor) b = floor;
        sums[i] = a + b;
        diffs[i] = a - b;
      }
      if (odd) {
        let c = logMel[row + halfMels];
        if (c < floor) c = floor;
        sums[halfMels] = c;
        diffs[halfMels] = 0;
      }
      const o = t * nMfcc;
      for (let k = 0; k < nMfcc; k++) {
        const src = (k & 1) === 0 ? sums : diffs;
        const b0 = k * foldLen;
        let a1 = 0;
        let a2 = 0;
        let i = 0;
        for (; i + 1 < foldLen; i += 2) {
          a1 += basis[b0 + i] * src[i];
          a2 += basis[b0 + i + 1] * src[i + 1];
        }
        if (i < foldLen) a1 += basis[b0 + i] * src[i];
        out[o + k] = a1 + a2;
      }
    }
    return out;
  };
}

function reflect(i: number, n: number, period: number): number {
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}
