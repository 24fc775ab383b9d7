/**
 * Single-label classification metrics over plain arrays, computed in float64 and defined as
 * scikit-learn defines them (`zero_division=0`): class `k` of `classes` is column `k` of a
 * row-major `[n, classes]` probability matrix, and a target is a class index.
 */

/** Per-class scores and their averages. */
export interface ClassificationScores {
  readonly precision: number[];
  readonly recall: number[];
  readonly f1: number[];
  /** Target count of each class. */
  readonly support: number[];
  readonly macro: AveragedScores;
  readonly micro: AveragedScores;
  /** Averaged with each class weighted by its support. */
  readonly weighted: AveragedScores;
}

export interface AveragedScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Index of the largest value of each row; the first on ties, like `numpy.argmax`. */
export function argmaxRows(values: ArrayLike<number>, columns: number): Int32Array {
  const rows = Math.floor(values.length / columns);
  const result = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < columns; j++) if (values[i * columns + j]! > values[i * columns + best]!) best = j;
    result[i] = best;
  }
  return result;
}

/** Fraction of predictions equal to the target. */
export function accuracy(targets: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (targets.length === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] === predicted[i]) correct++;
  return correct / targets.length;
}

/** Counts, row-major `[classes, classes]`: row = target class, column = predicted class. */
export function confusionMatrix(
  targets: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): Int32Array {
  const matrix = new Int32Array(classes * classes);
  for (let i = 0; i < targets.length; i++) matrix[targets[i]! * classes + predicted[i]!]! += 1;
  return matrix;
}

/**
 * Precision, recall and F1 per class with macro, micro and support-weighted averages, from a
 * confusion matrix. A ratio with a zero denominator is 0, and F1 is `2pr / (p + r)` (0 when both are
 * 0), as in `sklearn.metrics.precision_recall_fscore_support(zero_division=0)`.
 */
export function classificationScores(confusion: ArrayLike<number>, classes: number): ClassificationScores {
  const tp: number[] = [];
  const predictedCount: number[] = [];
  const support: number[] = [];
  for (let k = 0; k < classes; k++) {
    let row = 0;
    let column = 0;
    for (let j = 0; j < classes; j++) {
      row += confusion[k * classes + j]!;
      column += confusion[j * classes + k]!;
    }
    tp.push(confusion[k * classes + k]!);
    predictedCount.push(column);
    support.push(row);
  }
  const precision = tp.map((t, k) => divide(t, predictedCount[k]!));
  const recall = tp.map((t, k) => divide(t, support[k]!));
  const f1 = precision.map((p, k) => fScore(p, recall[k]!));
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const mean = (values: readonly number[]) =>
    values.length === 0 ? Number.NaN : sum(values) / values.length;
  const totalSupport = sum(support);
  const weightedMean = (values: readonly number[]) =>
    totalSupport === 0 ? 0 : sum(values.map((v, k) => v * support[k]!)) / totalSupport;
  const microPrecision = divide(sum(tp), sum(predictedCount));
  const microRecall = divide(sum(tp), totalSupport);
  return {
    precision,
    recall,
    f1,
    support,
    macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1) },
    micro: { precision: microPrecision, recall: microRecall, f1: fScore(microPrecision, microRecall) },
    weighted: { precision: weightedMean(precision), recall: weightedMean(recall), f1: weightedMean(f1) },
  };
}

/** Float64 machine epsilon, `numpy.finfo(float64).eps`. */
export const FLOAT64_EPSILON = 2 ** -52;

/**
 * Mean negative log-likelihood of the target classes, as `sklearn.metrics.log_loss` (1.2,
 * `eps="auto"`) computes it: probabilities clipped to `[eps, 1 - eps]` with the float64 epsilon, each
 * row renormalised to sum to 1, then `-log p[target]` averaged.
 */
export function logLoss(
  targets: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  classes: number,
  eps = FLOAT64_EPSILON,
): number {
  const n = targets.length;
  if (n === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let j = 0; j < classes; j++) rowSum += clip(probabilities[i * classes + j]!, eps);
    total -= Math.log(clip(probabilities[i * classes + targets[i]!]!, eps) / rowSum);
  }
  return total / n;
}

function clip(p: number, eps: number): number {
  return Math.min(Math.max(p, eps), 1 - eps);
}

export function divide(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function fScore(precision: number, recall: number): number {
  const denominator = precision + recall;
  return denominator === 0 ? 0 : (2 * precision * recall) / denominator;
}
