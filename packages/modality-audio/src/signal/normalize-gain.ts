import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { optionError } from './signal-options.js';

export interface NormalizeGainOptions {
  /** `peak`: largest |sample| becomes `target`; `rms`: root mean square becomes `target`. */
  mode: 'peak' | 'rms';
  /** Linear level, e.g. 0.9 for peak or 0.1 for rms. An rms target may push peaks beyond 1. */
  target: number;
}

/** Scales a clip to a target level; a silent clip comes back as zeros (never NaN). */
export function normalizeGain(samples: Float32Array, options: NormalizeGainOptions): Float32Array {
  const { mode, target } = options;
  if (mode !== 'peak' && mode !== 'rms') {
    throw optionError('normalizeGain', 'mode', 'unknown mode', ['peak', 'rms'], mode);
  }
  if (!Number.isFinite(target) || target < 0) {
    throw optionError('normalizeGain', 'target', 'target must be a finite level >= 0', '>= 0', target);
  }
  let level = 0;
  if (mode === 'peak') {
    for (const x of samples) level = Math.max(level, Math.abs(x));
  } else {
    let sumSquares = 0;
    for (const x of samples) sumSquares += x * x;
    level = samples.length > 0 ? Math.sqrt(sumSquares / samples.length) : 0;
  }
  if (!Number.isFinite(level)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'normalizeGain: clip holds non-finite samples',
    });
  }
  const out = new Float32Array(samples.length);
  if (level === 0) return out;
  const gain = target / level;
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! * gain;
  return out;
}
