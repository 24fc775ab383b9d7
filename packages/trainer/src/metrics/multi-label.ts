import { type AveragedScores, divide, fScore } from './classification.js';

/** Multi-label decisions: a label is predicted when its probability is at least this. */
export const MULTI_LABEL_DECISION_THRESHOLD = 0.5;

export interface MultiLabelScores {
  readonly precision: number[];
  readonly recall: number[];
  readonly f1: number[];
  /** Records that carry each label. */
  readonly support: number[];
  readonly macro: AveragedScores;
  readonly micro: AveragedScores;
  /** Fraction of wrong label decisions, over records × labels. */
  readonly hammingLoss: number;
  /** Fraction of records whose predicted label set is exactly right. */
  readonly subsetAccuracy: number;
}

/**
 * Scores of multi-hot targets against probabilities, both row-major `[n, labels]`, as sklearn's
 * `precision_recall_fscore_support`, `f1_score(average=…)`, `hamming_loss` and `accuracy_score` do
 * on indicator matrices (`zero_division=0`).
 */
export function multiLabelScores(
  targets: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  labels: number,
  threshold = MULTI_LABEL_DECISION_THRESHOLD,
): MultiLabelScores {
  const n = labels === 0 ? 0 : Math.floor(targets.length / labels);
  const tp = new Array<number>(labels).fill(0);
  const predictedCount = new Array<number>(labels).fill(0);
  const support = new Array<number>(labels).fill(0);
  let wrong = 0;
  let exact = 0;
  for (let i = 0; i < n; i++) {
    let rowRight = true;
    for (let j = 0; j < labels; j++) {
      const truth = targets[i * labels + j]! >= 0.5;
      const decided = probabilities[i * labels + j]! >= threshold;
      if (truth) support[j]! += 1;
      if (decided) predictedCount[j]! += 1;
      if (truth && decided) tp[j]! += 1;
      if (truth !== decided) {
        wrong++;
        rowRight = false;
      }
    }
    if (rowRight) exact++;
  }
  const precision = tp.map((t, j) => divide(t, predictedCount[j]!));
  const recall = tp.map((t, j) => divide(t, support[j]!));
  const f1 = precision.map((p, j) => fScore(p, recall[j]!));
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const mean = (values: readonly number[]) => (labels === 0 ? Number.NaN : sum(values) / labels);
  const microPrecision = divide(sum(tp), sum(predictedCount));
  const microRecall = divide(sum(tp), sum(support));
  return {
    precision,
    recall,
    f1,
    support,
    macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1) },
    micro: { precision: microPrecision, recall: microRecall, f1: fScore(microPrecision, microRecall) },
    hammingLoss: n * labels === 0 ? Number.NaN : wrong / (n * labels),
    subsetAccuracy: n === 0 ? Number.NaN : exact / n,
  };
}
