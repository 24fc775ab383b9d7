import { optionError } from './signal-options.js';

export type ResampleQuality = 'low' | 'medium' | 'high';

export interface ResampleOptions {
  /** Filter length and sharpness; default `medium`. */
  quality?: ResampleQuality;
}

interface FilterDesign {
  /** Zero crossings of the sinc on each side of the centre. */
  zeros: number;
  /** Cutoff as a fraction of the lower Nyquist frequency. */
  rolloff: number;
  /** Kaiser window shape (higher: deeper stop band, wider transition). */
  beta: number;
}

// Kaiser transition width relative to the cutoff is about (A - 8) / (14.36 · zeros) with
// A ≈ beta / 0.1102 + 8.7 dB; rolloff is chosen so the stop band starts near the Nyquist frequency.
const DESIGNS: Record<ResampleQuality, FilterDesign> = {
  low: { zeros: 8, rolloff: 0.85, beta: 6 },
  medium: { zeros: 16, rolloff: 0.9, beta: 8 },
  high: { zeros: 32, rolloff: 0.945, beta: 9.5 },
};

/** Table entries per zero crossing; linear interpolation between them is accurate to ~1e-5. */
const OVERSAMPLE = 512;
const tables = new Map<ResampleQuality, Float64Array>();

/**
 * Band-limited resampling with a Kaiser-windowed sinc, for any ratio of positive rates (rational
 * or not). The low-pass cutoff sits at rolloff × min(fromRate, toRate) / 2, so downsampling
 * removes what would alias. Output sample m sits at input time m · fromRate / toRate; its length is
 * ceil(n · toRate / fromRate), and the signal is taken as zero outside the clip (as
 * scipy.signal.resample_poly does).
 */
export function resample(
  samples: Float32Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Float32Array {
  for (const [name, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!Number.isFinite(rate) || rate <= 0) {
      throw optionError('resample', name, 'sample rate must be a positive finite number', '> 0 Hz', rate);
    }
  }
  const quality = options.quality ?? 'medium';
  const design = DESIGNS[quality];
  if (!design) {
    throw optionError('resample', 'quality', 'unknown quality', Object.keys(DESIGNS), quality);
  }
  if (fromRate === toRate) return samples.slice();

  const n = samples.length;
  const outLength = Math.ceil((n * toRate) / fromRate - 1e-9);
  const out = new Float32Array(outLength);
  const table = kernelTable(quality, design);
  // Cutoff in cycles per input sample; the sinc's zero crossings are 1 / (2 · cutoff) apart.
  const cutoff = 0.5 * design.rolloff * Math.min(1, toRate / fromRate);
  const crossingsPerSample = 2 * cutoff;
  const halfWidth = design.zeros / crossingsPerSample;
  const tableEnd = design.zeros * OVERSAMPLE;
  const step = fromRate / toRate;

  for (let m = 0; m < outLength; m++) {
    const t = m * step;
    const first = Math.max(0, Math.ceil(t - halfWidth));
    const last = Math.min(n - 1, Math.floor(t + halfWidth));
    let sum = 0;
    for (let k = first; k <= last; k++) {
      const position = Math.abs(t - k) * crossingsPerSample * OVERSAMPLE;
      const i = Math.floor(position);
      if (i >= tableEnd) continue;
      const frac = position - i;
      sum += samples[k]! * (table[i]! + frac * (table[i + 1]! - table[i]!));
    }
    out[m] = sum * crossingsPerSample;
  }
  return out;
}

/** sinc(u) · kaiser(u / zeros) for u = 0 … zeros in steps of 1 / OVERSAMPLE (one side; symmetric). */
function kernelTable(quality: ResampleQuality, design: FilterDesign): Float64Array {
  const cached = tables.get(quality);
  if (cached) return cached;
  const size = design.zeros * OVERSAMPLE + 2;
  const table = new Float64Array(size);
  const norm = besselI0(design.beta);
  for (let j = 0; j < size; j++) {
    const u = j / OVERSAMPLE;
    const r = u / design.zeros;
    const window = r >= 1 ? 0 : besselI0(design.beta * Math.sqrt(1 - r * r)) / norm;
    table[j] = (u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u)) * window;
  }
  tables.set(quality, table);
  return table;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for beta ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const half = x / 2;
  for (let k = 1; k < 50; k++) {
    term *= (half / k) ** 2;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}
