import { ErrorCode, errorFields, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';
import {
  chi2,
  fClassif,
  fRegression,
  mutualInfoClassif,
  mutualInfoRegression,
} from '../mutual-info/index.js';
import { type AnyStep, defineStep, type FitContext, type Rows, type Target, valueError } from '../step.js';

/** State of every selection step: the kept column indices (ascending) and the scores behind them. */
export interface SelectionState {
  readonly kept: number[];
  /** Per input column: variance, or the select-k-best score (NaN where undefined). */
  readonly scores?: (number | null)[];
  readonly pValues?: (number | null)[];
}

const keepColumns = (rows: Rows, state: SelectionState): number[][] =>
  rows.map((row) => state.kept.map((c) => row[c]!));
const keptNames = (state: SelectionState, _options: unknown, names: readonly string[]): string[] =>
  state.kept.map((c) => names[c]!);
// JSON has no NaN: saved scores use null.
const toJson = (values: number[]): (number | null)[] => values.map((v) => (Number.isFinite(v) ? v : null));

function columnMeans(rows: Rows): number[] {
  const width = rows[0]?.length ?? 0;
  const means = new Array<number>(width).fill(0);
  for (const row of rows) for (let c = 0; c < width; c++) means[c]! += row[c]!;
  return means.map((sum) => sum / rows.length);
}

function requireRows(step: string, rows: Rows, names: readonly string[], least: number): void {
  if (rows.length < least)
    throw valueError(step, `needs at least ${least} rows; got ${rows.length}`, 0, names[0] ?? 'x0');
}

const varianceOptions = z.object({ threshold: z.number().min(0).default(0) });

/**
 * Drops columns whose population variance is at most `threshold` (scikit-learn `VarianceThreshold`;
 * with threshold 0 the peak-to-peak range is used too, so constant columns never survive rounding).
 */
export const varianceThresholdStep = defineStep<z.infer<typeof varianceOptions>, SelectionState>({
  type: 'variance-threshold',
  options: varianceOptions,
  fit(rows, { threshold }, { featureNames }) {
    requireRows('variance-threshold', rows, featureNames, 1);
    const means = columnMeans(rows);
    const variances = means.map((mean, c) => {
      let squares = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const row of rows) {
        squares += (row[c]! - mean) ** 2;
        min = Math.min(min, row[c]!);
        max = Math.max(max, row[c]!);
      }
      const variance = squares / rows.length;
      return threshold === 0 ? Math.min(variance, max - min) : variance;
    });
    const kept = variances.flatMap((variance, c) => (variance > threshold ? [c] : []));
    if (kept.length === 0) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: `no column has variance above ${threshold}`,
        plugin: '@omnifuse/data',
        step: 'variance-threshold',
        expected: `variance > ${threshold}`,
        found: Math.max(...variances),
      });
    }
    return { kept, scores: variances };
  },
  transform: keepColumns,
  outputNames: keptNames,
});

/** Ranks 1..n with ties averaged (scipy `rankdata(method='average')`). */
function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let t = i; t <= j; t++) ranks[order[t]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

const correlationOptions = z.object({
  threshold: z.number().gt(0).lt(1).default(0.95),
  method: z.enum(['pearson', 'spearman']).default('pearson'),
});

/**
 * Drops redundant columns: walking left to right, a column is kept unless its |r| with an already
 * kept (earlier) column exceeds `threshold`. Comparing only with kept columns keeps A and C when
 * A~B and B~C but not A~C. A constant column has no correlation: it is an error (put
 * variance-threshold first).
 */
export const correlationFilterStep = defineStep<z.infer<typeof correlationOptions>, SelectionState>({
  type: 'correlation-filter',
  options: correlationOptions,
  fit(rows, { threshold, method }, { featureNames }) {
    requireRows('correlation-filter', rows, featureNames, 2);
    const width = rows[0]!.length;
    const columns = Array.from({ length: width }, (_, c) => {
      const values = rows.map((row) => row[c]!);
      return method === 'spearman' ? averageRanks(values) : values;
    });
    const centered = columns.map((values, c) => {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const out = values.map((value) => value - mean);
      const norm = Math.sqrt(out.reduce((a, b) => a + b * b, 0));
      if (norm === 0) {
        throw valueError(
          'correlation-filter',
          'constant column: its correlation is undefined (drop it with variance-threshold first)',
          0,
          featureNames[c]!,
        );
      }
      return out.map((value) => value / norm);
    });
    const kept: number[] = [];
    for (let c = 0; c < width; c++) {
      const redundant = kept.some((k) => {
        let r = 0;
        for (let i = 0; i < rows.length; i++) r += centered[k]![i]! * centered[c]![i]!;
        return Math.abs(r) > threshold;
      });
      if (!redundant) kept.push(c);
    }
    return { kept };
  },
  transform: keepColumns,
  outputNames: keptNames,
});

const scoringNames = [
  'f_classif',
  'f_regression',
  'mutual_info_classif',
  'mutual_info_regression',
  'chi2',
] as const;
const selectKBestOptions = z.object({
  /** Default: f_classif for a classification target, f_regression for a regression one. */
  scoring: z.enum(scoringNames).optional(),
  k: z.union([z.number().int().min(0), z.literal('all')]).default(10),
  /** Neighbours of the mutual-information estimators. */
  nNeighbors: z.number().int().min(1).default(3),
});
type SelectKBestOptions = z.infer<typeof selectKBestOptions>;

/**
 * Indices of the k best scores, like scikit-learn's `SelectKBest`: a stable ascending sort with NaN
 * lowest, then the last k. On ties at the cut this keeps the LATER columns, as scikit-learn does.
 */
export function topK(scores: readonly number[], k: number): number[] {
  const clean = scores.map((score) => (Number.isNaN(score) ? -Number.MAX_VALUE : score));
  const order = clean.map((_, i) => i).sort((a, b) => clean[a]! - clean[b]! || a - b);
  return order.slice(order.length - k).sort((a, b) => a - b);
}

export const selectKBestStep = defineStep<SelectKBestOptions, SelectionState>({
  type: 'select-k-best',
  supervised: true,
  options: selectKBestOptions,
  fit(rows, options, context) {
    const target = context.target!;
    const width = rows[0]?.length ?? context.featureNames.length;
    const k = options.k === 'all' ? width : options.k;
    if (k > width) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `k = ${k} but there are only ${width} columns (use k: 'all')`,
        plugin: '@omnifuse/data',
        step: 'select-k-best',
        expected: `k <= ${width}`,
        found: k,
      });
    }
    const scoring = options.scoring ?? (context.task === 'classification' ? 'f_classif' : 'f_regression');
    let scores: number[];
    let pValues: number[] | undefined;
    try {
      ({ scores, pValues } = score(scoring, rows, target, options, context));
    } catch (error) {
      // Re-raise the scorer's error under this step's name, keeping its row and column.
      if (OmnifuseError.isInstance(error))
        throw new OmnifuseError({ ...errorFields(error), step: 'select-k-best' });
      throw error;
    }
    return { kept: topK(scores, k), scores: toJson(scores), pValues: pValues && toJson(pValues) };
  },
  transform: keepColumns,
  outputNames: keptNames,
});

function score(
  scoring: (typeof scoringNames)[number],
  rows: Rows,
  target: Target,
  options: SelectKBestOptions,
  context: FitContext,
): { scores: number[]; pValues?: number[] } {
  const names = context.featureNames;
  if (scoring === 'mutual_info_classif' || scoring === 'mutual_info_regression') {
    const estimate = scoring === 'mutual_info_classif' ? mutualInfoClassif : mutualInfoRegression;
    return {
      scores: estimate(rows, target, {
        nNeighbors: options.nNeighbors,
        seed: context.seed,
        featureNames: names,
      }),
    };
  }
  return { f_classif: fClassif, f_regression: fRegression, chi2 }[scoring](rows, target, names);
}

export const selectionSteps: readonly AnyStep[] = [
  varianceThresholdStep,
  correlationFilterStep,
  selectKBestStep,
];
