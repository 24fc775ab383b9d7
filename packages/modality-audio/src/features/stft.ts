import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { createRealFft } from './fft.js';
import { createWindow, type WindowKind } from './window.js';

export type PadMode = 'reflect' | 'constant';

export interface StftOptions {
  nFft: number;
  hopLength: number;
  /** Window length, <= nFft; the window is zero-padded to nFft, centred (librosa's `win_length`). */
  frameLength?: number;
  window?: WindowKind;
  /** Pad nFft / 2 samples on each side so frame t is centred on sample t * hopLength. */
  center?: boolean;
  /** How centre padding fills: `reflect` (numpy's, without repeating the edge) or zeros. */
  padMode?: PadMode;
}

export type SpectrumKind = 'power' | 'magnitude';

/** A short-time Fourier transform of fixed configuration. */
export interface Stft {
  readonly nFft: number;
  readonly hopLength: number;
  readonly bins: number;
  /** Frames produced for a signal of `length` samples. */
  frames(length: number): number;
  /** `|X|²` or `|X|`, row-major `[frames, bins]`. */
  spectrogram(samples: Float32Array | Float64Array, kind?: SpectrumKind): Float32Array;
}

export function createStft(options: StftOptions): Stft {
  const { nFft, hopLength } = options;
  const frameLength = options.frameLength ?? nFft;
  const center = options.center ?? true;
  const padMode = options.padMode ?? 'reflect';
  if (!Number.isInteger(hopLength) || hopLength < 1) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'hopLength must be a positive integer',
      field: 'hopLength',
      expected: 'integer >= 1',
      found: hopLength,
    });
  }
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
  const bins = fft.bins;
  const window = new Float64Array(nFft);
  window.set(createWindow(options.window ?? 'hann', frameLength), (nFft - frameLength) >> 1);
  const pad = center ? nFft >> 1 : 0;

  const frames = (length: number): number => {
    const padded = length + 2 * pad;
    return padded < nFft ? 0 : 1 + Math.floor((padded - nFft) / hopLength);
  };

  return {
    nFft,
    hopLength,
    bins,
    frames,
    spectrogram(samples, kind = 'power') {
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
      const out = new Float32Array(count * bins);
      const magnitude = kind === 'magnitude';
      for (let t = 0; t < count; t++) fft.powerFrame(padded, t * hopLength, window, out, t * bins, magnitude);
      return out;
    },
  };
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
