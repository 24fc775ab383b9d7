/** Regression metrics over plain arrays, computed in float64 as scikit-learn defines them. */

/** Mean absolute error. */
export function meanAbsoluteError(targets: ArrayLike<number>, predictions: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < targets.length; i++) total += Math.abs(targets[i]! - predictions[i]!);
  return targets.length === 0 ? Number.NaN : total / targets.length;
}

/** Root of the mean squared error. */
export function rootMeanSquaredError(targets: ArrayLike<number>, predictions: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < targets.length; i++) total += (targets[i]! - predictions[i]!) ** 2;
  return targets.length === 0 ? Number.NaN : Math.sqrt(total / targets.length);
}

/**
 * Coefficient of determination, as `sklearn.metrics.r2_score` (`force_finite=True`): NaN for fewer
 * than two records; for a constant target, 1 when the predictions are exact and 0 otherwise.
 */
export function r2Score(targets: ArrayLike<number>, predictions: ArrayLike<number>): number {
  const n = targets.length;
  if (n < 2) return Number.NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += targets[i]!;
  mean /= n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    residual += (targets[i]! - predictions[i]!) ** 2;
    total += (targets[i]! - mean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}
