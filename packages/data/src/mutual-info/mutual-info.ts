import { createRng } from '@omnifuse/core';
import { checkRows, type Rows, type Target, valueError } from '../step.js';
import { miContinuousContinuous, miContinuousDiscrete, miDiscreteDiscrete } from './estimators.js';

export interface MutualInfoOptions {
  /** Neighbours of the k-NN estimators (default 3, like scikit-learn). */
  readonly nNeighbors?: number;
  /**
   * Which features are discrete: all (`true`), none (`false`, the default), a mask with one flag per
   * column, or the column indices. Discrete features are neither scaled nor jittered.
   */
  readonly discreteFeatures?: boolean | readonly boolean[] | readonly number[];
  /** Seed of the tiny noise added to continuous values to break ties (default 0). */
  readonly seed?: number;
  /** Column names for error messages (default `x0`, `x1`, …). */
  readonly featureNames?: readonly string[];
}

const STEP = 'mutual-info';

function discreteMask(option: MutualInfoOptions['discreteFeatures'], width: number): boolean[] {
  if (option === undefined || typeof option === 'boolean') return new Array(width).fill(option === true);
  if (option.length > 0 && typeof option[0] === 'boolean') {
    if (option.length !== width) {
      throw valueError(
        STEP,
        `discreteFeatures has ${option.length} flags for ${width} columns`,
        0,
        'discreteFeatures',
      );
    }
    return option.map((flag) => flag === true);
  }
  const mask = new Array(width).fill(false);
  for (const index of option as readonly number[]) {
    if (!Number.isInteger(index) || index < 0 || index >= width) {
      throw valueError(
        STEP,
        `discreteFeatures names column ${index}; there are ${width}`,
        0,
        'discreteFeatures',
      );
    }
    mask[index] = true;
  }
  return mask;
}

/** Population standard deviation, 1 for a constant column (scikit-learn's `scale`, ddof = 0). */
function populationStd(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  const std = Math.sqrt(squares / values.length);
  return std === 0 ? 1 : std;
}

/**
 * Scaled copy of a continuous column with scikit-learn's jitter: divided by its population std, then
 * 1e-10 · max(1, mean |x|) · N(0, 1) added to each value to break ties.
 */
function jittered(values: ArrayLike<number>, normal: () => number): Float64Array {
  const std = populationStd(values);
  const out = Float64Array.from(values, (value) => value / std);
  let meanAbs = 0;
  for (const value of out) meanAbs += Math.abs(value);
  const amplitude = 1e-10 * Math.max(1, meanAbs / out.length);
  for (let i = 0; i < out.length; i++) out[i]! += amplitude * normal();
  return out;
}

function columnOf(rows: Rows, column: number): Float64Array {
  return Float64Array.from(rows, (row) => row[column]!);
}

function validate(rows: Rows, target: Target, names: readonly string[], nNeighbors: number): void {
  if (rows.length === 0) throw valueError(STEP, 'no rows', 0, names[0] ?? 'x0');
  checkRows(STEP, rows, names);
  if (target.length !== rows.length) {
    throw valueError(STEP, `the target has ${target.length} values for ${rows.length} rows`, 0, 'target');
  }
  if (!Number.isInteger(nNeighbors) || nNeighbors < 1 || nNeighbors >= rows.length) {
    throw valueError(
      STEP,
      `nNeighbors must be an integer in [1, ${rows.length - 1}]; got ${nNeighbors}`,
      0,
      'nNeighbors',
    );
  }
}

function estimate(rows: Rows, target: Target, discreteTarget: boolean, options: MutualInfoOptions): number[] {
  const { nNeighbors = 3, seed = 0 } = options;
  const width = rows[0]?.length ?? 0;
  const names = options.featureNames ?? Array.from({ length: width }, (_, i) => `x${i}`);
  validate(rows, target, names, nNeighbors);
  const mask = discreteMask(options.discreteFeatures, width);
  const rng = createRng(seed);
  const columns = mask.map((discrete, c) =>
    discrete ? columnOf(rows, c) : jittered(columnOf(rows, c), rng.normal),
  );
  let y: Float64Array | undefined;
  if (!discreteTarget) {
    const numeric = target.map((value, r) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw valueError(
          STEP,
          `regression target must be a finite number; got ${JSON.stringify(value)}`,
          r,
          'target',
        );
      }
      return value;
    });
    y = jittered(numeric, rng.normal);
  }
  return columns.map((x, c) => {
    if (discreteTarget) {
      return mask[c] ? miDiscreteDiscrete(x, target) : miContinuousDiscrete(x, target, nNeighbors);
    }
    return mask[c] ? miContinuousDiscrete(y!, x, nNeighbors) : miContinuousContinuous(x, y!, nNeighbors);
  });
}

/**
 * Mutual information (nats) between each column and a class label, like scikit-learn's
 * `mutual_info_classif`: Ross's k-NN estimator for continuous columns, the contingency table for
 * discrete ones. Continuous columns are scaled by their population std and jittered by seeded noise
 * (scikit-learn's noise comes from numpy's RNG, so values agree with it only to ~1e-2 on tie-heavy data).
 */
export function mutualInfoClassif(rows: Rows, labels: Target, options: MutualInfoOptions = {}): number[] {
  return estimate(rows, labels, true, options);
}

/**
 * Mutual information (nats) between each column and a numeric target, like scikit-learn's
 * `mutual_info_regression`: the Kraskov (KSG) estimator for continuous columns, Ross's for discrete
 * ones; the target is scaled and jittered like the continuous columns.
 */
export function mutualInfoRegression(rows: Rows, y: Target, options: MutualInfoOptions = {}): number[] {
  return estimate(rows, y, false, options);
}
