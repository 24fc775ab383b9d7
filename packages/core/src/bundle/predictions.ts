import type * as tfTypes from '@tensorflow/tfjs';
import type { Prediction, TaskSpec } from '../spec/task.js';

export interface ModelOutputs {
  /** One row per example: the head's output units. */
  readonly outputs: number[][];
  /** One row per example: fusion weights in input order, when an `inspect` model was run. */
  readonly fusionWeights: number[][] | null;
}

/**
 * Runs a model (or its `inspect` twin) over inputs in `model.inputs` order, in batches so memory
 * stays bounded, and reads the results back as plain rows.
 */
export async function runModel(
  tf: typeof tfTypes,
  model: tfTypes.LayersModel,
  inputs: readonly tfTypes.Tensor[],
  options: { batchSize?: number; withFusionWeights?: boolean } = {},
): Promise<ModelOutputs> {
  const size = inputs[0]?.shape[0] ?? 0;
  const batchSize = options.batchSize ?? 256;
  const outputs: number[][] = [];
  const fusionWeights: number[][] | null = options.withFusionWeights ? [] : null;
  for (let start = 0; start < size; start += batchSize) {
    const end = Math.min(size, start + batchSize);
    const results = tf.tidy(() => {
      const batch = inputs.map((t) => t.slice(start, end - start));
      const out = model.predict(batch);
      return Array.isArray(out) ? out : [out];
    });
    try {
      outputs.push(...((await results[0]!.array()) as number[][]));
      if (fusionWeights && results[1]) fusionWeights.push(...((await results[1].array()) as number[][]));
    } finally {
      tf.dispose(results);
    }
  }
  return { outputs, fusionWeights };
}

/** Multi-label threshold on each sigmoid output. */
export const MULTI_LABEL_THRESHOLD = 0.5;

/**
 * Turns output rows into predictions: the most probable label (classification), the labels at or
 * above 0.5 (multi-label) or the value (regression), with per-label probabilities and per-field
 * fusion weights where there are any.
 */
export function decodePredictions(args: {
  readonly task: TaskSpec;
  readonly labels: readonly string[];
  readonly ids: readonly (string | number)[];
  readonly outputs: readonly (readonly number[])[];
  readonly fusionWeights?: readonly (readonly number[])[] | null;
  /** Field names in fusion-weight order. */
  readonly fields?: readonly string[];
}): Prediction[] {
  const { task, labels, ids, outputs, fusionWeights, fields = [] } = args;
  return outputs.map((row, i) => {
    const weights = fusionWeights?.[i];
    const extra = weights
      ? { fusionWeights: Object.fromEntries(fields.map((f, j) => [f, weights[j]!])) }
      : {};
    const record = ids[i]!;
    if (task.type === 'regression') return { record, prediction: row[0]!, ...extra };
    const probabilities = Object.fromEntries(labels.map((label, j) => [label, row[j]!]));
    if (task.type === 'multi-label') {
      const chosen = labels.filter((_, j) => row[j]! >= MULTI_LABEL_THRESHOLD);
      return { record, prediction: chosen, probabilities, ...extra };
    }
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
    return { record, prediction: labels[best]!, probabilities, ...extra };
  });
}
