import { SVD } from 'ml-matrix';
import { z } from 'zod';
import { type AnyStep, defineStep, type Rows, valueError } from '../step.js';

/** A fitted PCA: everything scikit-learn's `PCA` exposes that a transform or a report needs. */
export interface PcaState {
  readonly mean: number[];
  /** One unit row per component, in decreasing variance; sign fixed like scikit-learn's `svd_flip`. */
  readonly components: number[][];
  readonly explainedVariance: number[];
  readonly explainedVarianceRatio: number[];
  readonly singularValues: number[];
}

const pcaOptions = z.object({
  /** Components to keep: a count, or a fraction 0 < f < 1 of the variance to keep (default: all). */
  nComponents: z.union([z.number().int().min(1), z.number().gt(0).lt(1)]).optional(),
  /** Scale each component to unit variance. */
  whiten: z.boolean().default(false),
});
type PcaOptions = z.infer<typeof pcaOptions>;

/**
 * Principal components, matching scikit-learn's `PCA(svd_solver='full')`: the SVD of the centred
 * data (ml-matrix's, which agrees with LAPACK to ~1e-13), variance over n − 1, and the signs that
 * make each column of U's largest-magnitude entry positive (`svd_flip`, u-based, as in sklearn 1.2).
 */
export function fitPca(rows: Rows, options: PcaOptions, step = 'pca'): PcaState {
  const n = rows.length;
  const width = rows[0]?.length ?? 0;
  if (n < 2) throw valueError(step, `PCA needs at least 2 rows; got ${n}`, 0, 'rows');
  const mean = new Array<number>(width).fill(0);
  for (const row of rows) for (let c = 0; c < width; c++) mean[c]! += row[c]!;
  for (let c = 0; c < width; c++) mean[c]! /= n;
  const centered = rows.map((row) => row.map((value, c) => value - mean[c]!));
  const svd = new SVD(centered, { computeLeftSingularVectors: false, autoTranspose: true });
  const rank = Math.min(n, width);
  const singular = svd.diagonal.slice(0, rank);
  const v = svd.rightSingularVectors;
  const variance = singular.map((s) => (s * s) / (n - 1));
  const total = variance.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw valueError(step, 'every column is constant: no variance to decompose', 0, 'rows');
  const ratio = variance.map((value) => value / total);
  const k = componentCount(options.nComponents, ratio, rank, step);
  const components: number[][] = [];
  for (let j = 0; j < k; j++) {
    const component = Array.from({ length: width }, (_, c) => v.get(c, j));
    // svd_flip on U: U[:, j] ∝ X·v_j, so the sign of its largest-|·| entry is that of the scores'.
    let best = 0;
    let bestAbs = -1;
    centered.forEach((row) => {
      let score = 0;
      for (let c = 0; c < width; c++) score += row[c]! * component[c]!;
      if (Math.abs(score) > bestAbs) {
        bestAbs = Math.abs(score);
        best = score;
      }
    });
    components.push(best < 0 ? component.map((value) => -value) : component);
  }
  if (options.whiten) {
    const flat = variance.slice(0, k).findIndex((value) => !(value > 0));
    if (flat >= 0)
      throw valueError(step, `component ${flat + 1} has zero variance: cannot whiten`, 0, `pc${flat + 1}`);
  }
  return {
    mean,
    components,
    explainedVariance: variance.slice(0, k),
    explainedVarianceRatio: ratio.slice(0, k),
    singularValues: singular.slice(0, k),
  };
}

function componentCount(option: number | undefined, ratio: number[], rank: number, step: string): number {
  if (option === undefined) return rank;
  if (option < 1) {
    // scikit-learn: searchsorted(cumsum, f, side='right') + 1, i.e. the fewest components whose
    // cumulative ratio exceeds f.
    let cumulative = 0;
    let below = 0;
    for (const value of ratio) {
      cumulative += value;
      if (cumulative <= option) below++;
    }
    return Math.min(below + 1, rank);
  }
  if (option > rank) {
    throw valueError(step, `nComponents ${option} exceeds min(rows, columns) = ${rank}`, 0, 'nComponents');
  }
  return option;
}

/** Projects rows onto fitted components (whitened: divided by each component's standard deviation). */
export function transformPca(rows: Rows, state: PcaState, whiten: boolean): number[][] {
  const scale = state.explainedVariance.map((value) => (whiten ? Math.sqrt(value) : 1));
  return rows.map((row) =>
    state.components.map((component, j) => {
      let sum = 0;
      for (let c = 0; c < component.length; c++) sum += (row[c]! - state.mean[c]!) * component[c]!;
      return sum / scale[j]!;
    }),
  );
}

export const pcaStep = defineStep<PcaOptions, PcaState>({
  type: 'pca',
  options: pcaOptions,
  fit: (rows, options) => fitPca(rows, options),
  transform: (rows, state, options) => transformPca(rows, state, options.whiten),
  outputNames: (state) => state.components.map((_, j) => `pc${j + 1}`),
});

export const decompositionSteps: readonly AnyStep[] = [pcaStep];
