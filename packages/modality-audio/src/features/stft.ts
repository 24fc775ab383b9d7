import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { createRealFft } from './fft.js';
import { createWindow, type WindowKind } from './window.js';

export type PadMode = 'reflect' | 'constant';

export interface StftOptions {
  nFft: number;
  /** Samples between frame starts; give this or `frames`. */
  hopLength?: number;
  /**
   * Exactly this many frames (>= 2) spread over the whole signal instead of a fixed hop: frame t
   * starts at floor(t · (length − nFft) / (frames − 1)), so the first starts at sample 0 and the last
   * ends at the signal's end (MultiBench's AV-MNIST spectrogram). Excludes `hopLength` and centring.
   */
  frames?: number;
  /** Keep the first `bins` frequency bins only; default all, floor(nFft / 2) + 1. */
  bins?: number;
  /** Window length, <= nFft; the window is zero-padded to nFft, centred (librosa's `win_length`). */
  frameLength?: number;
  window?: WindowKind;
  /**
   * Pad nFft / 2 samples on each side so frame t is centred on sample t * hopLength. Default true,
   * and false with `frames`, which refuses true.
   */
  center?: boolean;
  /** How centre padding fills: `reflect` (numpy's, without repeating the edge) or zeros. */
  padMode?: PadMode;
}

export type SpectrumKind = 'power' | 'magnitude';

/** A short-time Fourier transform of fixed configuration. */
export interface Stft {
  readonly nFft: number;
  /** Samples between frame starts; undefined with `frames`, where the stride follows the signal length. */
  readonly hopLength: number | undefined;
  /** Frequency bins per frame (`bins` when given). */
  readonly bins: number;
  /** Frames produced for a signal of `length` samples (0 when it is shorter than one frame). */
  frames(length: number): number;
  /** `|X|²` or `|X|`, row-major `[frames, bins]`. */
  spectrogram(samples: Float32Array | Float64Array, kind?: SpectrumKind): Float32Array;
  /** {@link Stft.spectrogram} unrounded, in float64, for features computed further from it. */
  spectrogramFloat64(samples: Float32Array | Float64Array, kind?: SpectrumKind): Float64Array;
}

export function createStft(options: StftOptions): Stft {
  const { nFft, hopLength, frames: frameCount } = options;
  const frameLength = options.frameLength ?? nFft;
  const center = options.center ?? frameCount === undefined;
  const padMode = options.padMode ?? 'reflect';
  checkFraming(options, center);
  if (!Number.isInteger(frameLength) || frameLength < 1 || frameLength > nFft) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'frameLength must be an integer between 1 and nFft',
      field: 'frameLength',
      expected: `1..${nFft}`,
      found: frameLength,
    });
  }
  const fft = createRealFft(nFft);
  const bins = options.bins ?? fft.bins;
  if (!Number.isInteger(bins) || bins < 1 || bins > fft.bins) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'bins must be an integer between 1 and nFft / 2 + 1',
      field: 'bins',
      expected: `1..${fft.bins}`,
      found: bins,
    });
  }
  const window = new Float64Array(nFft);
  window.set(createWindow(options.window ?? 'hann', frameLength), (nFft - frameLength) >> 1);
  const pad = center ? nFft >> 1 : 0;
  // One full spectrum row when only the first `bins` are kept.
  const row = bins < fft.bins ? new Float64Array(fft.bins) : undefined;

  const frames = (length: number): number => {
    const padded = length + 2 * pad;
    if (padded < nFft) return 0;
    return frameCount ?? 1 + Math.floor((padded - nFft) / hopLength!);
  };

  const compute = <Out extends Float32Array | Float64Array>(
    samples: Float32Array | Float64Array,
    kind: SpectrumKind,
    allocate: (size: number) => Out,
  ): Out => {
    const count = frames(samples.length);
    if (count === 0) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: 'signal is shorter than one frame',
        expected: `>= ${nFft - 2 * pad} samples`,
        found: samples.length,
      });
    }
    if (center && padMode === 'reflect' && samples.length < 2) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: 'reflect padding needs at least 2 samples',
        expected: '>= 2 samples',
        found: samples.length,
      });
    }
    const padded = padSignal(samples, pad, padMode);
    const out = allocate(count * bins);
    const magnitude = kind === 'magnitude';
    const span = samples.length - nFft;
    for (let t = 0; t < count; t++) {
      // Integer division of exact integers (< 2^53): the same start as numpy's `//`.
      const start = hopLength === undefined ? Math.floor((t * span) / (count - 1)) : t * hopLength;
      if (!row) {
        fft.powerFrame(padded, start, window, out, t * bins, magnitude);
        continue;
      }
      fft.powerFrame(padded, start, window, row, 0, magnitude);
      for (let k = 0; k < bins; k++) out[t * bins + k] = row[k]!;
    }
    return out;
  };

  return {
    nFft,
    hopLength: frameCount === undefined ? hopLength : undefined,
    bins,
    frames,
    spectrogram: (samples, kind = 'power') => compute(samples, kind, (size) => new Float32Array(size)),
    spectrogramFloat64: (samples, kind = 'power') => compute(samples, kind, (size) => new Float64Array(size)),
  };
}

/** A fixed hop or a fixed frame count, never both; a frame count spans the signal, so no centring. */
function checkFraming(options: StftOptions, center: boolean): void {
  const { hopLength, frames } = options;
  if (frames !== undefined) {
    if (hopLength !== undefined) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: 'give hopLength or frames, not both: frames sets the stride from the signal length',
        field: 'hopLength',
        expected: 'hopLength or frames',
        found: { hopLength, frames },
      });
    }
    if (!Number.isInteger(frames) || frames < 2) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: 'frames must be an integer >= 2',
        field: 'frames',
        expected: 'integer >= 2',
        found: frames,
      });
    }
    if (center) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message:
          'frames spreads the frames over the unpadded signal; center must be false (its default with frames)',
        field: 'center',
        expected: false,
        found: true,
      });
    }
    return;
  }
  if (hopLength === undefined || !Number.isInteger(hopLength) || hopLength < 1) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'hopLength must be a positive integer',
      field: 'hopLength',
      expected: 'integer >= 1',
      found: hopLength,
    });
  }
}

/** The signal with `pad` samples added on each side, as float64 (numpy.pad semantics). */
export function padSignal(samples: Float32Array | Float64Array, pad: number, mode: PadMode): Float64Array {
  const n = samples.length;
  const out = new Float64Array(n + 2 * pad);
  out.set(samples, pad);
  if (pad === 0 || mode === 'constant') return out;
  // numpy's reflect: mirror about the edge sample without repeating it, period 2(n - 1).
  const period = 2 * (n - 1);
  for (let i = 0; i < pad; i++) {
    out[pad - 1 - i] = samples[reflectIndex(-1 - i, n, period)];
    out[pad + n + i] = samples[reflectIndex(n + i, n, period)];
  }
  return out;
}

function reflectIndex(i: number, n: number, period: number): number {
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}
