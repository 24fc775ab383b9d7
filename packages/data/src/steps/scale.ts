import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';
import { type AnyStep, defineStep, type Rows } from '../step.js';

const EPS = Number.EPSILON;

/** Refuses to fit on no rows: a statistic of nothing would silently become NaN. */
export function requireRows(step: string, rows: Rows): void {
  if (rows.length === 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'no rows to fit on',
      plugin: '@omnifuse/data',
      step,
      expected: 'at least 1 row',
      found: 0,
    });
  }
}

/** Values of column `c`. */
export function column(rows: Rows, c: number): number[] {
  return rows.map((row) => row[c]!);
}

/**
 * Mean and population standard deviation per column, as sklearn's StandardScaler computes them
 * (corrected two-pass variance), with sklearn's rule for (near-)constant columns: scale 1, so
 * they become 0 after centring instead of dividing by rounding noise.
 */
export function standardization(rows: Rows): { mean: number[]; scale: number[] } {
  const n = rows.length;
  const width = rows[0]?.length ?? 0;
  const mean: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < width; c++) {
    let sum = 0;
    for (const row of rows) sum += row[c]!;
    const m = sum / n;
    let correction = 0;
    let squares = 0;
    for (const row of rows) {
      const d = row[c]! - m;
      correction += d;
      squares += d * d;
    }
    const variance = (squares - (correction * correction) / n) / n;
    const constant = variance <= n * EPS * variance + (n * m * EPS) ** 2;
    mean.push(m);
    scale.push(constant ? 1 : Math.sqrt(variance));
  }
  return { mean, scale };
}

/** sklearn's `_handle_zeros_in_scale`: a scale below 10 ε is treated as 1. */
function nonZeroScale(scale: number): number {
  return scale < 10 * EPS ? 1 : scale;
}

/** numpy's default percentile (linear interpolation between order statistics), `q` in [0, 100]. */
export function percentile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * (q / 100);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  const lo = sorted[below]!;
  const hi = sorted[above]!;
  // numpy's _lerp: exact at both ends of the interval.
  const diff = hi - lo;
  return fraction >= 0.5 ? hi - diff * (1 - fraction) : lo + diff * fraction;
}

/** numpy's median: the middle value, or the mean of the two middle values. */
export function median(sorted: readonly number[]): number {
  const half = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}

const standardOptions = z
  .object({
    /** Subtract the training mean. */
    withMean: z.boolean().default(true),
    /** Divide by the training (population) standard deviation. */
    withStd: z.boolean().default(true),
  })
  .strict();

interface AffineState {
  /** Subtracted from each column. */
  readonly center: number[];
  /** Each column is divided by it after centring. */
  readonly scale: number[];
}

function affine(rows: Rows, state: AffineState): number[][] {
  return rows.map((row) => row.map((value, c) => (value - state.center[c]!) / state.scale[c]!));
}

/** `(x − mean) / std` per column, like sklearn's StandardScaler (population std; constant → 1). */
export const standardScaler = defineStep({
  type: 'standard-scaler',
  options: standardOptions,
  fit(rows, options): AffineState {
    requireRows('standard-scaler', rows);
    const { mean, scale } = standardization(rows);
    return {
      center: options.withMean ? mean : mean.map(() => 0),
      scale: options.withStd ? scale : scale.map(() => 1),
    };
  },
  transform: affine,
  outputNames: (_state, _options, names) => [...names],
});

const minMaxOptions = z
  .object({
    /** The training minimum maps to `a`, the maximum to `b`. */
    featureRange: z
      .tuple([z.number(), z.number()])
      .default([0, 1])
      .refine(([a, b]) => a < b, 'featureRange [a, b] needs a < b'),
    /** Clip transformed values of new rows to the feature range. */
    clip: z.boolean().default(false),
  })
  .strict();

interface MinMaxState {
  readonly scale: number[];
  readonly min: number[];
}

/** Maps each column's training [min, max] onto `featureRange`, like sklearn's MinMaxScaler. */
export const minMaxScaler = defineStep({
  type: 'min-max-scaler',
  options: minMaxOptions,
  fit(rows, options): MinMaxState {
    requireRows('min-max-scaler', rows);
    const [a, b] = options.featureRange;
    const width = rows[0]!.length;
    const scale: number[] = [];
    const min: number[] = [];
    for (let c = 0; c < width; c++) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const row of rows) {
        lo = Math.min(lo, row[c]!);
        hi = Math.max(hi, row[c]!);
      }
      const s = (b - a) / nonZeroScale(hi - lo);
      scale.push(s);
      min.push(a - lo * s);
    }
    return { scale, min };
  },
  transform(rows, state, options) {
    const [a, b] = options.featureRange;
    return rows.map((row) =>
      row.map((value, c) => {
        const y = value * state.scale[c]! + state.min[c]!;
        return options.clip ? Math.min(b, Math.max(a, y)) : y;
      }),
    );
  },
  outputNames: (_state, _options, names) => [...names],
});

const robustOptions = z
  .object({
    /** Subtract the training median. */
    withCentering: z.boolean().default(true),
    /** Divide by the spread between the two training percentiles of `quantileRange`. */
    withScaling: z.boolean().default(true),
    /** Percentiles (0–100) whose distance is the scale; [25, 75] is the interquartile range. */
    quantileRange: z
      .tuple([z.number().min(0).max(100), z.number().min(0).max(100)])
      .default([25, 75])
      .refine(([lo, hi]) => lo <= hi, 'quantileRange [lo, hi] needs lo <= hi'),
  })
  .strict();

/**
 * `(x − median) / (q_hi − q_lo)` per column, like sklearn's RobustScaler: numpy's linear percentiles;
 * a zero spread becomes 1 (that column is only centred).
 */
export const robustScaler = defineStep({
  type: 'robust-scaler',
  options: robustOptions,
  fit(rows, options): AffineState {
    requireRows('robust-scaler', rows);
    const width = rows[0]!.length;
    const center: number[] = [];
    const scale: number[] = [];
    for (let c = 0; c < width; c++) {
      const sorted = column(rows, c).sort((x, y) => x - y);
      center.push(options.withCentering ? median(sorted) : 0);
      const [lo, hi] = options.quantileRange;
      scale.push(options.withScaling ? nonZeroScale(percentile(sorted, hi) - percentile(sorted, lo)) : 1);
    }
    return { center, scale };
  },
  transform: affine,
  outputNames: (_state, _options, names) => [...names],
});

export const scaleSteps: readonly AnyStep[] = [standardScaler, minMaxScaler, robustScaler];
