import { ErrorCode, OmnifuseError } from '@omnifuse/core';

export type WindowKind = 'hann' | 'hamming';

/**
 * A periodic ("DFT-even") window of `length` samples, as scipy.signal.get_window(kind, length,
 * fftbins=True) and librosa's STFT use it: the symmetric window of length + 1 without its last point.
 */
export function createWindow(kind: WindowKind, length: number): Float64Array {
  if (!Number.isInteger(length) || length < 1) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'window length must be a positive integer',
      field: 'frameLength',
      expected: 'integer >= 1',
      found: length,
    });
  }
  const out = new Float64Array(length);
  const [a0, a1] = kind === 'hann' ? [0.5, 0.5] : [0.54, 0.46];
  for (let i = 0; i < length; i++) out[i] = a0 - a1 * Math.cos((2 * Math.PI * i) / length);
  return out;
}
