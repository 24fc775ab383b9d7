import { ErrorCode, formatPath, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';
import { cmvn } from './cmvn.js';
import { dctMatrix } from './dct.js';
import { deltas } from './deltas.js';
import { createPowerFft, isPowerOfTwo } from './fft.js';
import { createFusedLogMel } from './fused.js';
import { createMelFilterBank } from './mel.js';
import { powerToDb } from './power-to-db.js';
import { createStft } from './stft.js';
import { createWindow } from './window.js';

export const featureExtractorSchema = z
  .object({
    sampleRate: z.number().positive(),
    /** `power` / `magnitude`: STFT spectrogram; `logmel`: power_to_db of mel power; `mfcc`. */
    kind: z.enum(['power', 'magnitude', 'logmel', 'mfcc']).default('logmel'),
    nFft: z.number().int().min(2).default(512),
    /** Defaults to frameLength / 4, as librosa does (none with `frames`). */
    hopLength: z.number().int().min(1).optional(),
    /**
     * `power` / `magnitude` only: exactly this many frames spread over the whole signal, frame t
     * starting at floor(t · (length − nFft) / (frames − 1)) (first at 0, last ending at the signal's
     * end), with no centre padding, as MultiBench's AV-MNIST spectrogram. Excludes `hopLength` and
     * `center: true`.
     */
    frames: z.number().int().min(2).optional(),
    /** `power` / `magnitude` only: keep the first `bins` rFFT bins (<= nFft / 2 + 1; default all). */
    bins: z.number().int().min(1).optional(),
    /**
     * `power` / `magnitude` only: output log1p(s · x) with s this value and x the power or
     * magnitude, computed in float64 (MultiBench's AV-MNIST uses log1p(10 · |X|)).
     */
    log1p: z.number().positive().optional(),
    /** Window length, <= nFft; defaults to nFft. */
    frameLength: z.number().int().min(1).optional(),
    window: z.enum(['hann', 'hamming']).default('hann'),
    /** Centre frames by padding nFft / 2 on each side; defaults to true, and to false with `frames`. */
    center: z.boolean().optional(),
    padMode: z.enum(['reflect', 'constant']).default('reflect'),
    nMels: z.number().int().min(1).default(40),
    fMin: z.number().min(0).default(0),
    /** Defaults to sampleRate / 2. */
    fMax: z.number().positive().optional(),
    melScale: z.enum(['slaney', 'htk']).default('slaney'),
    melNorm: z.enum(['slaney', 'none']).default('slaney'),
    /** power_to_db parameters for `logmel` and `mfcc` (librosa's defaults). */
    ref: z.number().positive().default(1),
    amin: z.number().positive().default(1e-10),
    topDb: z.number().positive().nullable().default(80),
    nMfcc: z.number().int().min(1).default(13),
    /** Append delta (1) or delta and delta-delta (2) features, librosa.feature.delta style. */
    deltas: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
    deltaWidth: z
      .number()
      .int()
      .min(3)
      .refine((w) => w % 2 === 1, 'deltaWidth must be odd')
      .default(9),
    /** Per-utterance mean/variance normalisation of every output dimension, applied last. */
    cmvn: z.boolean().default(false),
    /**
     * Log-mel / MFCC kernel: `auto` uses WebAssembly SIMD (two frames per vector) where available and
     * the JavaScript kernel otherwise; both compute the same formula in float64 and agree to ~1e-12 dB.
     * Spectrogram kinds and non-power-of-two `nFft` always use JavaScript (`wasm` is refused there).
     */
    engine: z.enum(['auto', 'wasm', 'js']).default('auto'),
  })
  .strict();

export type FeatureExtractorOptions = z.input<typeof featureExtractorSchema>;
export type FeatureExtractorConfig = Omit<z.output<typeof featureExtractorSchema>, 'center'> & {
  /** Undefined with `frames`, where the stride follows the signal length. */
  hopLength: number | undefined;
  frameLength: number;
  fMax: number;
  center: boolean;
};

export interface Features {
  /** Row-major `[frames, dims]`. */
  data: Float32Array;
  frames: number;
  dims: number;
}

/** {@link Features} before the final rounding to float32. */
export interface Float64Features {
  data: Float64Array;
  frames: number;
  dims: number;
}

export interface FeatureExtractor {
  readonly config: Readonly<FeatureExtractorConfig>;
  /** Values per frame: bins, mels or MFCCs, times (1 + deltas). */
  readonly dims: number;
  /** Frames produced for a signal of `length` samples (`frames` when set; 0 when shorter than nFft). */
  frames(length: number): number;
  extract(samples: Float32Array | Float64Array): Features;
  /**
   * The same features in float64, without the final rounding to float32 (a spectrogram with deltas
   * or CMVN differs from `extract` within float32 precision): what fitting global statistics sums.
   */
  extractFloat64(samples: Float32Array | Float64Array): Float64Features;
}

/**
 * One configured pipeline from samples to features: STFT, then mel filter bank, power_to_db, DCT,
 * deltas and CMVN as the kind asks. Windows, FFT twiddles, the filter bank and the DCT matrix are
 * built here once; `extract` reuses them.
 */
export function createFeatureExtractor(options: FeatureExtractorOptions): FeatureExtractor {
  const config = parseOptions(options);
  const stft = createStft(config);
  const spectral = config.kind === 'power' || config.kind === 'magnitude';
  const melBank = spectral
    ? undefined
    : createMelFilterBank({
        sampleRate: config.sampleRate,
        nFft: config.nFft,
        nMels: config.nMels,
        fMin: config.fMin,
        fMax: config.fMax,
        scale: config.melScale,
        norm: config.melNorm,
      });
  const dct = config.kind === 'mfcc' ? dctMatrix(config.nMels, config.nMfcc) : undefined;
  const baseDims = spectral ? stft.bins : config.kind === 'mfcc' ? config.nMfcc : config.nMels;
  const dims = baseDims * (1 + config.deltas);
  // Log-mel / MFCC with a power-of-two nFft: one fused per-frame kernel (radix-4 FFT power, sparse
  // mel runs, log) instead of materialising the spectrogram and mel matrices.
  const fused =
    melBank && isPowerOfTwo(config.nFft) && config.nFft >= 2
      ? createFusedLogMel({
          fft: createPowerFft(config.nFft),
          window: paddedWindow(config.window, config.frameLength, config.nFft),
          hopLength: config.hopLength!, // frames is refused for log-mel / MFCC
          pad: config.center ? config.nFft >> 1 : 0,
          padMode: config.padMode,
          melBank,
          ref: config.ref,
          amin: config.amin,
          topDb: config.topDb,
          dct,
          nMfcc: config.nMfcc,
          float32: config.deltas === 0 && !config.cmvn,
          engine: config.engine,
        })
      : undefined;
  if (config.engine === 'wasm' && !fused) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: "engine 'wasm' computes log-mel and MFCC with a power-of-two nFft only",
      field: 'engine',
      expected: "kind 'logmel' or 'mfcc' and a power-of-two nFft, or engine 'auto' / 'js'",
      found: { engine: config.engine, kind: config.kind, nFft: config.nFft },
    });
  }

  /** The features, rounded to float32 unless `float64`. */
  const compute = (samples: Float32Array | Float64Array, float64: boolean) => {
    const roundAtEnd = (full: Float64Array) => (float64 ? full : new Float32Array(full));
    if (fused) {
      const frames = stft.frames(samples.length);
      if (frames === 0 || (config.center && config.padMode === 'reflect' && samples.length < 2)) {
        stft.spectrogram(samples); // throws the STFT's own error
      }
      const result = fused(samples, frames, !float64 && config.deltas === 0 && !config.cmvn);
      if (config.deltas === 0 && !config.cmvn) return { data: result, frames };
      const base = result as Float64Array;
      const full =
        config.deltas === 0 ? base : withDeltas(base, frames, baseDims, config.deltas, config.deltaWidth);
      if (config.cmvn) cmvn(full, frames, dims);
      return { data: roundAtEnd(full), frames };
    }
    const kind = config.kind === 'magnitude' ? 'magnitude' : 'power';
    let base: Float64Array;
    if (config.log1p !== undefined) {
      base = log1pScaled(stft.spectrogramFloat64(samples, kind), config.log1p);
    } else if (spectral && float64) {
      base = stft.spectrogramFloat64(samples, kind);
    } else {
      const spectrum = stft.spectrogram(samples, kind);
      const frames = spectrum.length / stft.bins;
      if (spectral && config.deltas === 0 && !config.cmvn) return { data: spectrum, frames };
      if (spectral) {
        base = new Float64Array(spectrum);
      } else {
        base = powerToDb(melBank!.apply(spectrum, frames), config);
        if (dct) base = applyDct(base, frames, config.nMels, dct, config.nMfcc);
      }
    }
    const frames = base.length / baseDims;
    const full =
      config.deltas === 0 ? base : withDeltas(base, frames, baseDims, config.deltas, config.deltaWidth);
    if (config.cmvn) cmvn(full, frames, dims);
    return { data: roundAtEnd(full), frames };
  };

  return {
    config,
    dims,
    frames: (length) => stft.frames(length),
    extract(samples) {
      const { data, frames } = compute(samples, false);
      return { data: data as Float32Array, frames, dims };
    },
    extractFloat64(samples) {
      const { data, frames } = compute(samples, true);
      return { data: data as Float64Array, frames, dims };
    },
  };
}

/** log1p(scale · x) in place. */
function log1pScaled(values: Float64Array, scale: number): Float64Array {
  for (let i = 0; i < values.length; i++) values[i] = Math.log1p(scale * values[i]!);
  return values;
}

function paddedWindow(kind: 'hann' | 'hamming', frameLength: number, nFft: number): Float64Array {
  const window = new Float64Array(nFft);
  window.set(createWindow(kind, frameLength), (nFft - frameLength) >> 1);
  return window;
}

function parseOptions(options: FeatureExtractorOptions): FeatureExtractorConfig {
  const result = featureExtractorSchema.safeParse(options ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `invalid audio feature options: ${issue.message}`,
      path: formatPath(issue.path),
      details: { issues: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) },
    });
  }
  const parsed = result.data;
  const frameLength = parsed.frameLength ?? parsed.nFft;
  if (frameLength > parsed.nFft) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'frameLength must not exceed nFft',
      field: 'frameLength',
      expected: `<= ${parsed.nFft}`,
      found: frameLength,
    });
  }
  if (parsed.kind === 'logmel' || parsed.kind === 'mfcc') {
    for (const field of ['frames', 'bins', 'log1p'] as const) {
      if (parsed[field] === undefined) continue;
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `${field} applies to the spectrogram kinds power and magnitude only`,
        field,
        expected: { kind: ['power', 'magnitude'] },
        found: { kind: parsed.kind, [field]: parsed[field] },
      });
    }
  }
  const fMax = parsed.fMax ?? parsed.sampleRate / 2;
  if (!parsed.kind.match(/^(power|magnitude)$/) && (fMax > parsed.sampleRate / 2 || parsed.fMin >= fMax)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'mel band must satisfy fMin < fMax <= sampleRate / 2',
      field: 'fMax',
      expected: `fMin < fMax <= ${parsed.sampleRate / 2}`,
      found: { fMin: parsed.fMin, fMax },
    });
  }
  if (parsed.kind === 'mfcc' && parsed.nMfcc > parsed.nMels) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'nMfcc must not exceed nMels',
      field: 'nMfcc',
      expected: `<= ${parsed.nMels}`,
      found: parsed.nMfcc,
    });
  }
  return {
    ...parsed,
    frameLength,
    hopLength:
      parsed.hopLength ??
      (parsed.frames === undefined ? Math.max(1, Math.floor(frameLength / 4)) : undefined),
    // With `frames`, an explicit `center: true` stays true here so that createStft refuses it.
    center: parsed.center ?? parsed.frames === undefined,
    fMax,
  };
}

function applyDct(
  logMel: Float64Array,
  frames: number,
  nMels: number,
  dct: Float64Array,
  nMfcc: number,
): Float64Array {
  const out = new Float64Array(frames * nMfcc);
  for (let t = 0; t < frames; t++) {
    const row = t * nMels;
    for (let k = 0; k < nMfcc; k++) {
      const basis = k * nMels;
      let sum = 0;
      for (let m = 0; m < nMels; m++) sum += dct[basis + m] * logMel[row + m];
      out[t * nMfcc + k] = sum;
    }
  }
  return out;
}

/** `[frames, dims]` followed per frame by its deltas (and delta-deltas): `[frames, dims * (1 + order)]`. */
function withDeltas(
  base: Float64Array,
  frames: number,
  dims: number,
  order: 1 | 2,
  width: number,
): Float64Array {
  const parts = [base, deltas(base, frames, dims, 1, width)];
  if (order === 2) parts.push(deltas(base, frames, dims, 2, width));
  const stride = dims * parts.length;
  const out = new Float64Array(frames * stride);
  for (let t = 0; t < frames; t++) {
    for (let p = 0; p < parts.length; p++)
      out.set(parts[p].subarray(t * dims, (t + 1) * dims), t * stride + p * dims);
  }
  return out;
}
