import type { SkippedRecords, TaskType, TrainingHistory } from '@omnifuse/core';
import { argmaxRows } from '../metrics/classification.js';
import { MULTI_LABEL_DECISION_THRESHOLD } from '../metrics/multi-label.js';
import { computeTaskMetrics, metricSummary } from '../metrics/task-metrics.js';

/** What a report says about the model it scores; every field optional. */
export interface ModelSummary {
  readonly inputs?: readonly { readonly field: string; readonly encoder: string }[];
  readonly fusion?: string | null;
  readonly trainer?: string;
  readonly parameters?: number;
  readonly [key: string]: unknown;
}

export interface EvaluationReportInput {
  readonly task: { readonly type: TaskType; readonly field?: string };
  /** Class (or label) names in output column order; empty for regression. */
  readonly labels: readonly string[];
  /** Class indices `[n]` or one-hot rows, multi-hot rows, or values `[n]` (see `computeTaskMetrics`). */
  readonly targets: ArrayLike<number>;
  /** The model's outputs: probabilities `[n, classes]` or values `[n]`. */
  readonly predictions: ArrayLike<number>;
  /** Record ids in row order, to name the worst mistakes. */
  readonly records?: readonly (string | number)[];
  readonly history?: TrainingHistory;
  /** Per-record fusion weights, row-major `[n, inputs.length]`. */
  readonly fusionWeights?: { readonly inputs: readonly string[]; readonly values: ArrayLike<number> } | null;
  readonly split?: 'train' | 'validation' | 'test' | (string & {});
  readonly model?: ModelSummary;
  /** ISO time stamp; default: now. */
  readonly createdAt?: string;
  /** Records left out under `onInvalid: "skip"` (every split), listed in the report. */
  readonly skipped?: SkippedRecords;
}

/** A five-number summary plus the mean; null fields where there were no values. */
export interface Distribution {
  readonly mean: number | null;
  readonly min: number | null;
  readonly q1: number | null;
  readonly median: number | null;
  readonly q3: number | null;
  readonly max: number | null;
}

export interface ClassScoresRow {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
  /** One-vs-rest ROC-AUC; null where the class is absent from the targets. */
  readonly rocAuc?: number | null;
}

/** JSON-serialisable evaluation of one split: undefined numbers are null. */
export interface EvaluationReport {
  readonly reportVersion: 1;
  readonly createdAt: string;
  readonly split: string;
  readonly task: { readonly type: TaskType; readonly field: string | null };
  readonly labels: readonly string[];
  readonly size: number;
  readonly model: ModelSummary | null;
  /** Headline metrics under the keys `evaluate()` returns. */
  readonly summary: Readonly<Record<string, number>>;
  readonly classification: {
    readonly accuracy: number | null;
    readonly logLoss: number | null;
    /** `[target][predicted]` counts. */
    readonly confusion: number[][];
    readonly perClass: ClassScoresRow[];
    readonly averages: Record<
      'macro' | 'micro' | 'weighted',
      { precision: number; recall: number; f1: number }
    >;
    readonly rocAuc: {
      readonly binary: number | null;
      readonly macro: number | null;
      readonly weighted: number | null;
    };
    /** The most confident wrong predictions, at most 10. */
    readonly worstMistakes: {
      record: string | number;
      target: string;
      predicted: string;
      confidence: number;
    }[];
  } | null;
  readonly multiLabel: {
    readonly threshold: number;
    readonly perLabel: ClassScoresRow[];
    readonly averages: Record<'macro' | 'micro', { precision: number; recall: number; f1: number }>;
    readonly hammingLoss: number | null;
    readonly subsetAccuracy: number | null;
  } | null;
  readonly regression: {
    readonly mae: number | null;
    readonly rmse: number | null;
    readonly r2: number | null;
    readonly residuals: Distribution;
    /** Up to 500 evenly spaced `[target, prediction]` pairs, for a scatter plot. */
    readonly sample: [number, number][];
  } | null;
  readonly learningCurves: {
    readonly epochs: number[];
    /** Per key of the history (`loss`, `val_loss`, `accuracy`, `lr`, …): one value per epoch. */
    readonly series: Record<string, (number | null)[]>;
    /** 1-based. */
    readonly bestEpoch: number;
    readonly stoppedEarly: boolean;
    readonly seconds: number;
  } | null;
  /** Records left out of training and evaluation under `onInvalid: "skip"`; null when none were. */
  readonly skipped?: SkippedRecords | null;
  readonly fusionWeights: {
    readonly inputs: string[];
    readonly perInput: Record<string, Distribution>;
    /** Mean weight of each input over the records predicted as each class (classification only). */
    readonly byPredictedClass: { label: string; count: number; means: (number | null)[] }[] | null;
  } | null;
}

/**
 * Scores predictions against targets and gathers everything a reader needs to judge a model on one
 * split: metrics, confusion matrix, per-class table, learning curves and fusion weights. Pure: the
 * numbers come from the arrays given, nothing is run.
 */
export function buildEvaluationReport(input: EvaluationReportInput): EvaluationReport {
  const { task, labels, targets, predictions, records } = input;
  const classes = task.type === 'regression' ? 1 : labels.length;
  const metrics = computeTaskMetrics({ type: task.type, classes, targets, outputs: predictions });
  const base = {
    reportVersion: 1 as const,
    createdAt: input.createdAt ?? new Date().toISOString(),
    split: input.split ?? 'test',
    task: { type: task.type, field: task.field ?? null },
    labels: [...labels],
    size: metrics.size,
    model: input.model ?? null,
    summary: metricSummary(metrics),
    learningCurves: input.history ? learningCurves(input.history) : null,
    skipped: input.skipped && input.skipped.count > 0 ? input.skipped : null,
  };
  const predictedClass =
    metrics.type === 'classification'
      ? metrics.predicted
      : metrics.type === 'multi-label'
        ? argmaxRows(predictions, classes)
        : null;
  const fusionWeights = input.fusionWeights
    ? summariseFusionWeights(
        input.fusionWeights,
        metrics.type === 'classification' ? predictedClass : null,
        labels,
      )
    : null;

  if (metrics.type === 'regression') {
    const residuals = Array.from(targets, (t, i) => predictions[i]! - t);
    const step = Math.max(1, metrics.size / 500);
    const sample: [number, number][] = [];
    for (let i = 0; i < metrics.size; i += step) {
      const at = Math.floor(i);
      sample.push([targets[at]!, predictions[at]!]);
    }
    return {
      ...base,
      classification: null,
      multiLabel: null,
      regression: {
        mae: finite(metrics.mae),
        rmse: finite(metrics.rmse),
        r2: finite(metrics.r2),
        residuals: distribution(residuals),
        sample,
      },
      fusionWeights,
    };
  }
  if (metrics.type === 'multi-label') {
    const { scores } = metrics;
    return {
      ...base,
      classification: null,
      multiLabel: {
        threshold: MULTI_LABEL_DECISION_THRESHOLD,
        perLabel: labels.map((label, k) => ({
          label,
          precision: scores.precision[k]!,
          recall: scores.recall[k]!,
          f1: scores.f1[k]!,
          support: scores.support[k]!,
        })),
        averages: { macro: scores.macro, micro: scores.micro },
        hammingLoss: finite(scores.hammingLoss),
        subsetAccuracy: finite(scores.subsetAccuracy),
      },
      regression: null,
      fusionWeights,
    };
  }
  const { scores, rocAuc, confusion } = metrics;
  const confusionRows = labels.map((_, k) => Array.from(confusion.subarray(k * classes, (k + 1) * classes)));
  const mistakes: { record: string | number; target: string; predicted: string; confidence: number }[] = [];
  metrics.predicted.forEach((p, i) => {
    const t = metrics.targets[i]!;
    if (p !== t) {
      mistakes.push({
        record: records?.[i] ?? i,
        target: labels[t]!,
        predicted: labels[p]!,
        confidence: predictions[i * classes + p]!,
      });
    }
  });
  mistakes.sort((a, b) => b.confidence - a.confidence);
  return {
    ...base,
    classification: {
      accuracy: finite(metrics.accuracy),
      logLoss: finite(metrics.logLoss),
      confusion: confusionRows,
      perClass: labels.map((label, k) => ({
        label,
        precision: scores.precision[k]!,
        recall: scores.recall[k]!,
        f1: scores.f1[k]!,
        support: scores.support[k]!,
        rocAuc: finite(rocAuc.perClass[k]!),
      })),
      averages: { macro: scores.macro, micro: scores.micro, weighted: scores.weighted },
      rocAuc: {
        binary: finite(rocAuc.binary),
        macro: finite(rocAuc.macro),
        weighted: finite(rocAuc.weighted),
      },
      worstMistakes: mistakes.slice(0, 10),
    },
    multiLabel: null,
    regression: null,
    fusionWeights,
  };
}

function learningCurves(history: TrainingHistory): NonNullable<EvaluationReport['learningCurves']> {
  const keys = [...new Set(history.epochs.flatMap((epoch) => Object.keys(epoch)))].filter(
    (k) => k !== 'epoch',
  );
  const series = Object.fromEntries(
    keys.map((key) => [key, history.epochs.map((epoch) => finite(epoch[key] ?? Number.NaN))]),
  );
  return {
    epochs: history.epochs.map((_, i) => i + 1),
    series,
    bestEpoch: history.bestEpoch + 1,
    stoppedEarly: history.stoppedEarly,
    seconds: history.seconds,
  };
}

function summariseFusionWeights(
  weights: { readonly inputs: readonly string[]; readonly values: ArrayLike<number> },
  predicted: Int32Array | null,
  labels: readonly string[],
): NonNullable<EvaluationReport['fusionWeights']> {
  const m = weights.inputs.length;
  const n = m === 0 ? 0 : Math.floor(weights.values.length / m);
  const column = (j: number) => Array.from({ length: n }, (_, i) => weights.values[i * m + j]!);
  const perInput = Object.fromEntries(weights.inputs.map((input, j) => [input, distribution(column(j))]));
  let byPredictedClass: NonNullable<EvaluationReport['fusionWeights']>['byPredictedClass'] = null;
  if (predicted) {
    byPredictedClass = labels.map((label, k) => {
      const rows: number[] = [];
      for (let i = 0; i < n; i++) if (predicted[i] === k) rows.push(i);
      const means = weights.inputs.map((_, j) =>
        rows.length === 0 ? null : rows.reduce((a, i) => a + weights.values[i * m + j]!, 0) / rows.length,
      );
      return { label, count: rows.length, means };
    });
  }
  return { inputs: [...weights.inputs], perInput, byPredictedClass };
}

/** Mean and quartiles (linear interpolation, as `numpy.quantile`'s default). */
export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { mean: null, min: null, q1: null, median: null, q3: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const quantile = (q: number) => {
    const at = q * (sorted.length - 1);
    const low = Math.floor(at);
    const high = Math.min(low + 1, sorted.length - 1);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
  };
  return {
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    min: sorted[0]!,
    q1: quantile(0.25),
    median: quantile(0.5),
    q3: quantile(0.75),
    max: sorted[sorted.length - 1]!,
  };
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
