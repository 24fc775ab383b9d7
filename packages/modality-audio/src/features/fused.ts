import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type { PowerFft } from './fft.js';
import type { MelFilterBank } from './mel.js';
import type { PadMode } from './stft.js';
import {
  createWasmMelDbKernel,
  foldDct,
  type MelDbKernel,
  type MelDbKernelOptions,
  type MelRuns,
} from './wasm-log-mel.js';

/** Which implementation computes the STFT → mel → dB step; `auto` picks WebAssembly SIMD when available. */
export type FeatureEngine = 'auto' | 'wasm' | 'js';

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
  /** Defaults to `auto`; `wasm` throws where WebAssembly SIMD is unavailable. */
  engine?: FeatureEngine;
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
): (samples: Float32Array | Float64Array, frames: number, float32?: boolean) => Float32Array | Float64Array {
  const { fft, window, hopLength, pad, padMode, melBank, amin, topDb, dct } = options;
  const nMels = melBank.nMels;
  const mel = melRuns(melBank);
  const scale = 10 / Math.LN10;
  const offset = 10 * Math.log10(Math.max(amin, options.ref));
  const nMfcc = dct ? (options.nMfcc ?? dct.length / nMels) : 0;
  const kernelOptions = {
    nFft: fft.n,
    window,
    mel,
    amin,
    scale,
    offset,
    ...(dct ? { dct: { basis: foldDct(dct, nMels, nMfcc), nMfcc } } : {}),
  };
  const engine = options.engine ?? 'auto';
  const wasm = engine === 'js' ? null : createWasmMelDbKernel(kernelOptions);
  if (engine === 'wasm' && !wasm) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'the wasm feature engine needs WebAssembly SIMD and a power-of-two nFft',
      field: 'engine',
      expected: "'auto' or 'js' here",
      found: engine,
    });
  }
  const kernel = wasm ?? jsMelDbKernel(fft, kernelOptions);

  // `float32` per call overrides the option, for a caller that also wants the unrounded values.
  return (samples, frames, float32 = options.float32 ?? false) => {
    const Out = float32 ? Float32Array : Float64Array;
    const { values, max } = kernel.run(
      (padded) => padInto(samples, padded, pad, padMode),
      samples.length + 2 * pad,
      frames,
      hopLength,
    );
    const floor = topDb === null ? Number.NEGATIVE_INFINITY : max - topDb;
    if (dct) {
      const out = new Out(frames * nMfcc);
      out.set(kernel.mfcc(frames, floor));
      return out;
    }
    const count = frames * nMels;
    const out = new Out(count);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      // biome-ignore lint/complexity/useMathMinMax: a ternary in this hot loop, not a Math.max call per value
      out[i] = v < floor ? floor : v;
    }
    return out;
  };
}

/** The sparse bank as contiguous runs (the layout both kernels read). */
function melRuns(melBank: MelFilterBank): MelRuns {
  const nMels = melBank.nMels;
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
    for (let i = 0; i < len[m]; i++) runs[off[m] + i] = melBank.weights[m * melBank.bins + start[m] + i];
  return { start, len, off, runs };
}

/** `samples` centred in `padded` with `pad` reflected (or zero) samples on each side. */
function padInto(
  samples: Float32Array | Float64Array,
  padded: Float64Array,
  pad: number,
  padMode: PadMode,
): void {
  const n = samples.length;
  padded.set(samples, pad);
  if (pad === 0) return;
  if (padMode === 'constant') {
    padded.fill(0, 0, pad);
    padded.fill(0, pad + n, n + 2 * pad);
    return;
  }
  const period = 2 * (n - 1);
  for (let i = 0; i < pad; i++) {
    padded[pad - 1 - i] = samples[reflect(-1 - i, n, period)];
    padded[pad + n + i] = samples[reflect(n + i, n, period)];
  }
}

/**
 * The JavaScript kernel (where WebAssembly SIMD is unavailable): one frame at a time through the
 * radix-4 power FFT, then the mel runs and `Math.log`; MFCC through the same folded DCT.
 */
function jsMelDbKernel(fft: PowerFft, options: MelDbKernelOptions): MelDbKernel {
  const { window, amin, scale, offset } = options;
  const { start, len, off, runs } = options.mel;
  const nMels = start.length;
  const pw = new Float64Array(fft.bins);
  let padded = new Float64Array(0);
  let logMel = new Float64Array(0);
  let coefficients = new Float64Array(0);
  const foldLen = (nMels >> 1) + (nMels & 1);
  const sums = new Float64Array(foldLen);
  const diffs = new Float64Array(foldLen);
  return {
    engine: 'js',
    run(fill, paddedLength, frames, hopLength) {
      if (padded.length < paddedLength) padded = new Float64Array(paddedLength);
      fill(padded.subarray(0, paddedLength));
      if (logMel.length < frames * nMels) logMel = new Float64Array(frames * nMels);
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
          // biome-ignore lint/complexity/useMathMinMax: NaN must become amin, as in the wasm kernel (Math.max keeps NaN)
          const db = scale * Math.log(sum > amin ? sum : amin) - offset;
          logMel[o] = db;
          if (db > max) max = db;
        }
      }
      return { values: logMel.subarray(0, frames * nMels), max };
    },
    mfcc(frames, floor) {
      if (!options.dct) throw new Error('mfcc() needs the dct option');
      const { basis, nMfcc } = options.dct;
      const half = nMels >> 1;
      if (coefficients.length < frames * nMfcc) coefficients = new Float64Array(frames * nMfcc);
      for (let t = 0; t < frames; t++) {
        const row = t * nMels;
        for (let i = 0; i < half; i++) {
          let a = logMel[row + i];
          let b = logMel[row + nMels - 1 - i];
          if (a < floor) a = floor;
          if (b < floor) b = floor;
          sums[i] = a + b;
          diffs[i] = a - b;
        }
        if (nMels & 1) {
          let c = logMel[row + half];
          if (c < floor) c = floor;
          sums[half] = c;
          diffs[half] = 0;
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
          coefficients[o + k] = a1 + a2;
        }
      }
      return coefficients.subarray(0, frames * nMfcc);
    },
  };
}

function reflect(i: number, n: number, period: number): number {
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}
