import { ErrorCode, OmnifuseError } from '@omnifuse/core';

export type MelScale = 'slaney' | 'htk';
export type MelNorm = 'slaney' | 'none';

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

/** Hz to mels: Slaney's (linear below 1 kHz, logarithmic above; librosa's default) or HTK's. */
export function hzToMel(hz: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

export function melToHz(mel: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

export interface MelFilterBankOptions {
  sampleRate: number;
  nFft: number;
  nMels: number;
  fMin?: number;
  /** Defaults to sampleRate / 2. */
  fMax?: number;
  scale?: MelScale;
  /** `slaney` divides each triangle by its width in Hz / 2, so every filter has unit area. */
  norm?: MelNorm;
}

/**
 * Triangular mel filters over the `nFft / 2 + 1` STFT bins, as librosa.filters.mel builds them.
 * Stored sparsely: filter m covers bins `start[m]` to `end[m]` (exclusive) with `weights[m]`.
 */
export interface MelFilterBank {
  readonly nMels: number;
  readonly bins: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Dense row-major `[nMels, bins]` weights (zeros outside each filter's support). */
  readonly weights: Float32Array;
  /** Mel energies of a row-major `[frames, bins]` spectrogram, `[frames, nMels]`. */
  apply(spectrogram: Float32Array, frames: number): Float64Array;
}

export function createMelFilterBank(options: MelFilterBankOptions): MelFilterBank {
  const { sampleRate, nFft, nMels } = options;
  const fMin = options.fMin ?? 0;
  const fMax = options.fMax ?? sampleRate / 2;
  const scale = options.scale ?? 'slaney';
  const norm = options.norm ?? 'slaney';
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'mel band must satisfy 0 <= fMin < fMax <= sampleRate / 2',
      field: 'fMax',
      expected: `0 <= fMin < fMax <= ${sampleRate / 2}`,
      found: { fMin, fMax },
    });
  }
  const bins = (nFft >> 1) + 1;
  const fftFreqs = new Float64Array(bins);
  for (let k = 0; k < bins; k++) fftFreqs[k] = (k * sampleRate) / nFft;
  const melMin = hzToMel(fMin, scale);
  const melMax = hzToMel(fMax, scale);
  const edges = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++)
    edges[i] = melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1), scale);

  // librosa keeps its filter bank in float32; so do we, so mel energies agree to float precision.
  const weights = new Float32Array(nMels * bins);
  const start = new Int32Array(nMels);
  const end = new Int32Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const lowDiff = edges[m + 1] - edges[m];
    const highDiff = edges[m + 2] - edges[m + 1];
    const enorm = norm === 'slaney' ? 2 / (edges[m + 2] - edges[m]) : 1;
    let first = -1;
    let last = -1;
    for (let k = 0; k < bins; k++) {
      const lower = (fftFreqs[k] - edges[m]) / lowDiff;
      const upper = (edges[m + 2] - fftFreqs[k]) / highDiff;
      const w = Math.max(0, Math.min(lower, upper)) * enorm;
      if (w > 0) {
        weights[m * bins + k] = w;
        if (first < 0) first = k;
        last = k;
      }
    }
    start[m] = Math.max(first, 0);
    end[m] = first < 0 ? 0 : last + 1;
  }

  return {
    nMels,
    bins,
    start,
    end,
    weights,
    apply(spectrogram, frames) {
      const out = new Float64Array(frames * nMels);
      for (let t = 0; t < frames; t++) {
        const row = t * bins;
        for (let m = 0; m < nMels; m++) {
          const w = m * bins;
          let sum = 0;
          for (let k = start[m]; k < end[m]; k++) sum += weights[w + k] * spectrogram[row + k];
          out[t * nMels + m] = sum;
        }
      }
      return out;
    },
  };
}
