import type { TaskType } from '@omnifuse/core';
import {
  accuracy,
  argmaxRows,
  type ClassificationScores,
  classificationScores,
  confusionMatrix,
  logLoss,
} from './classification.js';
import { type MultiLabelScores, multiLabelScores } from './multi-label.js';
import { meanAbsoluteError, r2Score, rootMeanSquaredError } from './regression.js';
import { binaryRocAuc, type OneVsRestRocAuc, oneVsRestRocAuc } from './roc-auc.js';

/** Everything computed for one task from targets and model outputs. */
export type TaskMetrics =
  | {
      readonly type: 'classification';
      readonly size: number;
      readonly accuracy: number;
      readonly logLoss: number;
      /** Row-major `[classes, classes]`, row = target, column = predicted. */
      readonly confusion: Int32Array;
      readonly predicted: Int32Array;
      readonly targets: Int32Array;
      readonly scores: ClassificationScores;
      /** Binary: the AUC of the second class's probability; more classes: one-vs-rest. */
      readonly rocAuc: OneVsRestRocAuc & { readonly binary: number | null };
    }
  | { readonly type: 'multi-label'; readonly size: number; readonly scores: MultiLabelScores }
  | {
      readonly type: 'regression';
      readonly size: number;
      readonly mae: number;
      readonly rmse: number;
      readonly r2: number;
    };

/**
 * Computes a task's metrics. `targets`: class indices `[n]` or one-hot rows `[n, classes]`
 * (classification), multi-hot rows (multi-label) or values `[n]` (regression); `outputs`: the model's
 * rows, probabilities `[n, classes]` or values `[n]`.
 */
export function computeTaskMetrics(args: {
  readonly type: TaskType;
  readonly classes: number;
  readonly targets: ArrayLike<number>;
  readonly outputs: ArrayLike<number>;
}): TaskMetrics {
  const { type, classes, targets, outputs } = args;
  if (type === 'regression') {
    return {
      type,
      size: targets.length,
      mae: meanAbsoluteError(targets, outputs),
      rmse: rootMeanSquaredError(targets, outputs),
      r2: r2Score(targets, outputs),
    };
  }
  const size = classes === 0 ? 0 : Math.floor(outputs.length / classes);
  if (type === 'multi-label') return { type, size, scores: multiLabelScores(targets, outputs, classes) };
  const truth = classIndices(targets, size, classes);
  const predicted = argmaxRows(outputs, classes);
  const confusion = confusionMatrix(truth, predicted, classes);
  const ovr = oneVsRestRocAuc(truth, outputs, classes);
  let binary: number | null = null;
  if (classes === 2) {
    const positive = Array.from(truth, (t) => t === 1);
    binary = binaryRocAuc(
      positive,
      Array.from({ length: size }, (_, i) => outputs[i * 2 + 1]!),
    );
  }
  return {
    type,
    size,
    accuracy: accuracy(truth, predicted),
    logLoss: logLoss(truth, outputs, classes),
    confusion,
    predicted,
    targets: truth,
    scores: classificationScores(confusion, classes),
    rocAuc: { ...ovr, binary },
  };
}

/** Class indices from indices `[n]` or one-hot rows `[n, classes]`. */
export function classIndices(targets: ArrayLike<number>, size: number, classes: number): Int32Array {
  if (targets.length === size * classes && classes > 1) return argmaxRows(targets, classes);
  return Int32Array.from(targets as ArrayLike<number>);
}

/**
 * The headline numbers of a task's metrics under stable keys, the ones `evaluate()` returns and a
 * report's summary table shows. A metric undefined on the data (ROC-AUC with a class missing from
 * the targets, R² of one record) is left out.
 */
export function metricSummary(metrics: TaskMetrics): Record<string, number> {
  const summary: Record<string, number> = {};
  const put = (key: string, value: number | null) => {
    if (value !== null && Number.isFinite(value)) summary[key] = value;
  };
  put('size', metrics.size);
  if (metrics.type === 'regression') {
    put('mae', metrics.mae);
    put('rmse', metrics.rmse);
    put('r2', metrics.r2);
    return summary;
  }
  const { scores } = metrics;
  if (metrics.type === 'multi-label') {
    put('accuracy', 1 - metrics.scores.hammingLoss);
    put('hammingLoss', metrics.scores.hammingLoss);
    put('subsetAccuracy', metrics.scores.subsetAccuracy);
  } else {
    put('accuracy', metrics.accuracy);
    put('logLoss', metrics.logLoss);
  }
  put('macroPrecision', scores.macro.precision);
  put('macroRecall', scores.macro.recall);
  put('macroF1', scores.macro.f1);
  put('microPrecision', scores.micro.precision);
  put('microRecall', scores.micro.recall);
  put('microF1', scores.micro.f1);
  if (metrics.type === 'classification') {
    put('weightedF1', metrics.scores.weighted.f1);
    put('rocAuc', metrics.rocAuc.binary ?? metrics.rocAuc.macro);
    if (metrics.rocAuc.binary === null) put('rocAucWeighted', metrics.rocAuc.weighted);
  }
  return summary;
}
