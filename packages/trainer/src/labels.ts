import { type Dataset, ErrorCode, isMissing, labelSet, OmnifuseError, type TaskSpec } from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';

export { labelSet };

/**
 * The label order of a classification or multi-label task: `task.labels` when given, otherwise
 * every label seen in the training records, sorted (numerically when all labels are numbers).
 */
export function fitLabels(task: TaskSpec, train: Dataset): string[] {
  if (task.type === 'regression') return [];
  if (task.labels) return [...task.labels];
  const seen = new Set<string>();
  train.records.forEach((record, i) => {
    const value = targetValue(record[task.field], task, train.ids[i]!, train.source);
    for (const label of task.type === 'multi-label' ? labelSet(value) : [String(value)]) seen.add(label);
  });
  const labels = [...seen];
  const numeric = labels.every((l) => l.trim() !== '' && Number.isFinite(Number(l)));
  return numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort();
}

/**
 * Targets as a float32 tensor: one-hot rows (classification), multi-hot rows (multi-label) or a
 * `[n, 1]` column (regression). A label outside `labels` — e.g. a test label never seen in training
 * — is an error naming the record, since the model has no output for it.
 */
export function encodeTargets(task: TaskSpec, labels: readonly string[], dataset: Dataset): tf.Tensor2D {
  const n = dataset.size;
  if (task.type === 'regression') {
    const values = new Float32Array(n);
    dataset.records.forEach((record, i) => {
      const value = targetValue(record[task.field], task, dataset.ids[i]!, dataset.source);
      const number = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isFinite(number)) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: 'a regression target must be a finite number',
          record: dataset.ids[i],
          field: task.field,
          file: dataset.source,
          found: value,
        });
      }
      values[i] = number;
    });
    return tf.tensor2d(values, [n, 1]);
  }
  const index = new Map(labels.map((label, j) => [label, j]));
  const width = labels.length;
  const values = new Float32Array(n * width);
  dataset.records.forEach((record, i) => {
    const value = targetValue(record[task.field], task, dataset.ids[i]!, dataset.source);
    const items = task.type === 'multi-label' ? labelSet(value) : [String(value)];
    for (const item of items) {
      const j = index.get(item);
      if (j === undefined) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: `label "${item}" is not one the model was trained on (list every label in output.labels to allow it)`,
          record: dataset.ids[i],
          field: task.field,
          file: dataset.source,
          expected: labels,
          found: item,
        });
      }
      values[i * width + j] = 1;
    }
  });
  return tf.tensor2d(values, [n, width]);
}

function targetValue(value: unknown, task: TaskSpec, record: string | number, file?: string): unknown {
  if (isMissing(value)) {
    throw new OmnifuseError({
      code: ErrorCode.MissingField,
      message: 'the record has no target value',
      record,
      field: task.field,
      file,
    });
  }
  return value;
}
