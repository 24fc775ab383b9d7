import { type EncoderFitContext, ErrorCode, type MediaRef, OmnifuseError } from '@omnifuse/core';

/** What the fit needs of an audio preprocessor (shared.ts's `AudioPreprocessor` is one). */
export interface Float64FeatureSource<Raw> {
  featuresFloat64(
    raw: Raw,
    context: { record: string | number; field: string; readMedia(ref: MediaRef): Promise<Uint8Array> },
  ): Promise<Float64Array>;
}

/** The most training clips `standardize: 'global'` reads in `fit`; more are evenly strided down to this. */
export const STANDARDIZE_FIT_CLIPS = 10_000;

/** What `standardize: 'global'` fits: one mean and population std over every value of every clip read. */
export interface AudioStandardization {
  readonly mean: number;
  readonly std: number;
  /** Training clips whose features went into `mean` and `std`. */
  readonly clips: number;
  /**
   * Clips of those picked that could not be read (decode errors, missing files, too long) or gave
   * non-finite features, left out of the statistics; `preprocess` reports the unreadable ones later
   * under the dataset's `onInvalid` policy.
   */
  readonly skipped: number;
}

/**
 * The indices of at most `cap` of `count` values, evenly strided and deterministic: all of them when
 * `count <= cap`, else floor(i · count / cap) for i < cap.
 */
export function strideIndices(count: number, cap: number): number[] {
  if (count <= cap) return Array.from({ length: count }, (_, i) => i);
  return Array.from({ length: cap }, (_, i) => Math.floor((i * count) / cap));
}

/**
 * Fits one global mean and population std over the float64 features of the training clips (at most
 * {@link STANDARDIZE_FIT_CLIPS}, see {@link strideIndices}). Each clip's sum and squared deviations
 * are taken about its own mean and merged (Chan et al.), so no cancellation and no feature is kept.
 */
export async function fitGlobalStandardization<Raw>(
  preprocessor: Float64FeatureSource<Raw>,
  values: readonly Raw[],
  context: EncoderFitContext,
  plugin: string,
): Promise<AudioStandardization> {
  const { field, readMedia } = context;
  let count = 0;
  let mean = 0;
  let m2 = 0;
  let clips = 0;
  let skipped = 0;
  let firstFailure: { record: string | number; error: OmnifuseError } | undefined;
  for (const index of strideIndices(values.length, STANDARDIZE_FIT_CLIPS)) {
    const record = context.records?.[index] ?? index;
    let data: Float64Array;
    try {
      data = await preprocessor.featuresFloat64(values[index]!, { record, field, readMedia });
    } catch (error) {
      if (!OmnifuseError.isInstance(error)) throw error;
      skipped++;
      firstFailure ??= { record, error };
      continue;
    }
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i]!;
    const clipMean = sum / data.length;
    let squares = 0;
    for (let i = 0; i < data.length; i++) {
      const d = data[i]! - clipMean;
      squares += d * d;
    }
    if (!Number.isFinite(clipMean) || !Number.isFinite(squares)) {
      skipped++;
      continue;
    }
    const total = count + data.length;
    const delta = clipMean - mean;
    mean += (delta * data.length) / total;
    m2 += squares + (delta * delta * count * data.length) / total;
    count = total;
    clips++;
  }
  if (clips === 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message:
        values.length === 0
          ? "standardize 'global' needs training clips to fit on, and there are none"
          : `standardize 'global' could read none of the ${skipped} training clips it picked`,
      plugin,
      step: 'fit',
      field,
      path: 'preprocess.standardize',
      expected: 'at least one readable training clip',
      found: { values: values.length, skipped },
      ...(firstFailure
        ? {
            details: { firstFailure: { record: firstFailure.record, reason: firstFailure.error.reason } },
            cause: firstFailure.error,
          }
        : {}),
    });
  }
  return { mean, std: Math.sqrt(m2 / count), clips, skipped };
}

/**
 * (x − mean) / std in float64, rounded to float32 once at the end; a std of 0 (every training value
 * equal) divides by 1 instead, so the features are only centred.
 */
export function standardizeFeatures(
  values: Float64Array,
  stats: Pick<AudioStandardization, 'mean' | 'std'>,
): Float32Array {
  const scale = stats.std > 0 ? stats.std : 1;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i]! - stats.mean) / scale;
  return out;
}

/**
 * The statistics `preprocess` applies under the options' `standardize` mode: a state fitted with
 * `standardize: 'global'` carries them and one fitted without does not (bundles from before the option
 * have none), so a mismatch is a state from elsewhere and an error rather than silently wrong features.
 */
export function standardizationOf(
  mode: 'none' | 'global',
  stats: AudioStandardization | undefined,
  plugin: string,
): AudioStandardization | undefined {
  if ((mode === 'global') === (stats !== undefined)) return stats;
  throw new OmnifuseError({
    code: ErrorCode.Bundle,
    message:
      mode === 'global'
        ? "preprocess.standardize is 'global' but the fitted state has no standardize statistics; fit again"
        : "the fitted state has standardize statistics but preprocess.standardize is 'none'",
    plugin,
    step: 'preprocess',
    path: 'preprocess.standardize',
    expected: mode === 'global' ? 'state.standardize { mean, std }' : 'no state.standardize',
    found: stats === undefined ? 'none' : { mean: stats.mean, std: stats.std },
  });
}
