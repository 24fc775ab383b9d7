import type { Rng } from '@omnifuse/core';
import { optionError } from './signal-options.js';

export interface FitDurationOptions {
  /**
   * Where the kept window (cropping) or the clip (padding) sits: `start`, `centre`, or `random`,
   * which needs `rng` and is meant for train-time augmentation only.
   */
  mode?: 'start' | 'centre' | 'random';
  rng?: Rng;
}

/** Crops or zero-pads to exactly `length` samples; always returns a new array. */
export function fitDuration(
  samples: Float32Array,
  length: number,
  options: FitDurationOptions = {},
): Float32Array {
  const mode = options.mode ?? 'start';
  if (!Number.isInteger(length) || length < 0) {
    throw optionError(
      'fitDuration',
      'length',
      'length must be a non-negative integer',
      'integer >= 0',
      length,
    );
  }
  if (mode !== 'start' && mode !== 'centre' && mode !== 'random') {
    throw optionError('fitDuration', 'mode', 'unknown mode', ['start', 'centre', 'random'], mode);
  }
  if (mode === 'random' && !options.rng) {
    throw optionError(
      'fitDuration',
      'rng',
      "mode 'random' needs an rng (train-time only)",
      'an Rng',
      undefined,
    );
  }
  const difference = Math.abs(samples.length - length);
  const offset =
    mode === 'start' ? 0 : mode === 'centre' ? Math.floor(difference / 2) : options.rng!.int(difference + 1);
  if (samples.length >= length) return samples.slice(offset, offset + length);
  const out = new Float32Array(length);
  out.set(samples, offset);
  return out;
}
