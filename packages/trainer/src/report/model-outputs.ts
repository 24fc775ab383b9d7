import type { SkippedRecords } from '@omnifuse/core';
import {
  type EvaluationResult,
  isStreamedTable,
  type ModelSpec,
  runModel,
  type TaskSpec,
  type TrainingHistory,
  type TrainingTable,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { computeTaskMetrics, metricSummary } from '../metrics/task-metrics.js';
import { buildEvaluationReport, type EvaluationReport, type ModelSummary } from './build-report.js';

/**
 * Metrics of an evaluation: the trainer's `loss`, `accuracy` and `size`, plus the task's metrics
 * under the keys of `metricSummary` (`macroF1`, `rocAuc`, `logLoss`, `mae`, `r2`, …).
 */
export interface EvaluationMetrics extends EvaluationResult {
  readonly [metric: string]: number | undefined;
}

/** A model's outputs on a table, read back with the table's targets. */
export interface ScoredOutputs {
  /** Row-major `[n, units]`. */
  readonly outputs: Float64Array;
  readonly targets: Float32Array;
  /** Row-major `[n, fields.length]`, where the fusion method has weights. */
  readonly fusionWeights: { readonly inputs: readonly string[]; readonly values: Float64Array } | null;
}

/**
 * Runs the model (or its `inspect` twin, for fusion weights) over named input tensors, or over a
 * streamed table a batch at a time.
 */
export async function scoreOutputs(args: {
  readonly model: tf.LayersModel;
  readonly inspect: tf.LayersModel | null;
  readonly table: TrainingTable;
  /** Field names in fusion-weight order. */
  readonly fields: readonly string[];
  readonly batchSize?: number;
}): Promise<ScoredOutputs> {
  const { table } = args;
  const batchSize = args.batchSize ?? 256;
  const model = args.inspect ?? args.model;
  const withFusionWeights = args.inspect !== null;
  const outputs: number[][] = [];
  const fusion: number[][] = [];
  if (isStreamedTable(table)) {
    for (let start = 0; start < table.size; start += batchSize) {
      const rows = Array.from({ length: Math.min(batchSize, table.size - start) }, (_, i) => start + i);
      const inputs = await table.readInputs(rows);
      try {
        const ordered = args.model.inputNames.map((name) => inputs[name]!);
        const run = await runModel(tf, model, ordered, { batchSize, withFusionWeights });
        outputs.push(...run.outputs);
        if (run.fusionWeights) fusion.push(...run.fusionWeights);
      } finally {
        tf.dispose(Object.values(inputs));
      }
    }
  } else {
    const ordered = args.model.inputNames.map((name) => table.inputs[name]!);
    const run = await runModel(tf, model, ordered, { batchSize, withFusionWeights });
    outputs.push(...run.outputs);
    if (run.fusionWeights) fusion.push(...run.fusionWeights);
  }
  return {
    outputs: Float64Array.from(outputs.flat()),
    targets: (await table.target.data()) as Float32Array,
    fusionWeights:
      withFusionWeights && fusion.length > 0
        ? { inputs: args.fields, values: Float64Array.from(fusion.flat()) }
        : null,
  };
}

/** The trainer's evaluation with the task's metrics from the scored outputs added. */
export function evaluationMetrics(
  task: TaskSpec & { readonly labels: readonly string[] },
  base: EvaluationResult,
  scored: ScoredOutputs,
): EvaluationMetrics {
  const classes = task.type === 'regression' ? 1 : task.labels.length;
  const computed = metricSummary(
    computeTaskMetrics({ type: task.type, classes, targets: scored.targets, outputs: scored.outputs }),
  );
  // The trainer's loss, accuracy and size stay as they were: existing keys keep their meaning.
  return { ...computed, ...base };
}

/** The report of one split from scored outputs. */
export function reportFromOutputs(args: {
  readonly task: TaskSpec & { readonly labels: readonly string[] };
  readonly scored: ScoredOutputs;
  readonly records: readonly (string | number)[];
  readonly split: string;
  readonly spec: ModelSpec;
  readonly model: tf.LayersModel;
  readonly history?: TrainingHistory;
  readonly loss?: number;
  readonly skipped?: SkippedRecords;
}): EvaluationReport {
  const { task, scored } = args;
  const report = buildEvaluationReport({
    task,
    labels: task.labels,
    targets: scored.targets,
    predictions: scored.outputs,
    records: args.records,
    history: args.history,
    fusionWeights: scored.fusionWeights,
    split: args.split,
    model: modelSummary(args.spec, args.model),
    skipped: args.skipped,
  });
  return args.loss === undefined ? report : { ...report, summary: { loss: args.loss, ...report.summary } };
}

export function modelSummary(spec: ModelSpec, model: tf.LayersModel): ModelSummary {
  return {
    inputs: spec.inputs.map((input) => ({ field: input.field, encoder: input.encoder })),
    fusion: spec.fusion?.type ?? null,
    trainer: spec.training.trainer,
    parameters: model.countParams(),
  };
}
