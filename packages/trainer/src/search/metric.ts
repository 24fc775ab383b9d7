import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type { EvaluationMetrics } from '../report/model-outputs.js';

export type MetricDirection = 'max' | 'min';

/** The metrics `train()` returns, per split. */
export interface SplitMetrics {
  readonly validation?: EvaluationMetrics;
  readonly test?: EvaluationMetrics;
}

/**
 * A metric name: `val_<key>` reads the validation split's metrics (`val_accuracy`, `val_loss`,
 * `val_macroF1`), `test_<key>` the test split's; a bare key means the validation split.
 */
export function checkMetricName(metric: string): void {
  if (!/^(val_|test_)?[A-Za-z][A-Za-z0-9]*$/.test(metric)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `metric "${metric}" is not a metric name such as val_accuracy, val_loss or test_macroF1`,
      path: 'metric',
    });
  }
}

/** Lower is better for losses and errors (`val_loss`, `val_logLoss`, `val_mae`, `val_rmse`), else higher. */
export function metricDirection(metric: string): MetricDirection {
  return /loss|error|mae|mse/i.test(metric) ? 'min' : 'max';
}

export function readMetric(metric: string, metrics: SplitMetrics): number | undefined {
  const match = /^(val_|test_)?(.+)$/.exec(metric)!;
  const split = match[1] === 'test_' ? metrics.test : metrics.validation;
  const value = split?.[match[2]!];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The metric names a trial's metrics offer, for an error message. */
export function availableMetrics(metrics: SplitMetrics): string[] {
  return [
    ...Object.keys(metrics.validation ?? {}).map((key) => `val_${key}`),
    ...Object.keys(metrics.test ?? {}).map((key) => `test_${key}`),
  ];
}

/**
 * Orders items best first by their metric value; items without one go last. Ties keep the given
 * order, so the ranking is deterministic.
 */
export function rankByValue<T>(
  items: readonly T[],
  value: (item: T) => number | null,
  direction: MetricDirection,
): T[] {
  const sign = direction === 'max' ? -1 : 1;
  return items
    .map((item, index) => ({ item, index, v: value(item) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.index - b.index : a.v === null ? 1 : -1;
      return sign * (a.v - b.v) || a.index - b.index;
    })
    .map((entry) => entry.item);
}
