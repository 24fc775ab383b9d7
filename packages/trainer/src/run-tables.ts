import os from 'node:os';
import path from 'node:path';
import {
  type ComposedInput,
  createFeatureCache,
  type DataCheckReport,
  type Dataset,
  type DatasetSplit,
  type FeatureBatch,
  type FeatureCache,
  type FittedEncoder,
  type ModelSpec,
  skippedRecords,
  type TaskSpec,
  type TensorTable,
  type TrainerV1,
  type TrainingHistory,
} from '@omnifuse/core';
import type * as tf from '@tensorflow/tfjs';
import { createPreprocessPool, type PreprocessPoolOptions } from './parallel-preprocess/pool.js';
import type { EvaluationReport } from './report/build-report.js';
import {
  type EvaluationMetrics,
  evaluationMetrics,
  reportFromOutputs,
  scoreOutputs,
} from './report/model-outputs.js';
import { type OnInvalid, packSplits, shouldStream, splitTables } from './split-tables.js';
import { type PackedTable, PackFolder } from './streaming/packed-table.js';
import type { TrainerTables } from './streaming/trainer-tables.js';
import { type AugmentedInput, disposeTable } from './tables.js';

/** `cache` as `train` and `fineTune` take it: a folder, a `FeatureCache`, or `false` for none. */
export type CacheOption = string | false | FeatureCache | undefined;

export function featureCache(option: CacheOption, dataset: Dataset): FeatureCache | undefined {
  if (option === false) return undefined;
  if (option && typeof option === 'object') return option;
  return createFeatureCache({ dir: option ?? path.join(dataset.root, '.omnifuse-cache') });
}

/** Where a run packs its splits: `packs/` in the feature cache's folder, else in the system's temp folder. */
function packRoot(option: CacheOption, dataset: Dataset): string {
  if (typeof option === 'string') return path.join(option, 'packs');
  if (option === undefined) return path.join(dataset.root, '.omnifuse-cache', 'packs');
  return path.join(os.tmpdir(), 'omnifuse-packs');
}

export interface RunTablesOptions {
  readonly dataset: Dataset;
  readonly split: DatasetSplit;
  readonly spec: ModelSpec;
  readonly inputs: readonly ComposedInput[];
  readonly encoders: Readonly<Record<string, FittedEncoder>>;
  readonly dataCheck: DataCheckReport;
  readonly onInvalid: OnInvalid;
  readonly cache: CacheOption;
  /** The preprocessing threads (see `createPreprocessPool`). */
  readonly pool: PreprocessPoolOptions;
  readonly targets: (part: Dataset) => tf.Tensor;
}

/** The splits of a training run (`train` or `fineTune`), in memory or packed on disk. */
export interface RunTables {
  readonly tables: Partial<Record<'train' | 'validation' | 'test', TensorTable | PackedTable>>;
  /** The datasets the tables hold, row for row (invalid records left out). */
  readonly parts: Record<'train' | 'validation' | 'test', Dataset>;
  readonly dataCheck: DataCheckReport;
  /** Training features of the inputs whose encoder augments, to augment each batch anew. */
  readonly augmentable: readonly AugmentedInput[];
  /** Frees the tables and removes the run's pack folder. */
  dispose(): Promise<void>;
}

/**
 * Preprocesses the splits through the feature cache and the preprocessing threads: as tensors, or,
 * when `training.streaming` says so (see `shouldStream`), packed into files in the run's own pack
 * folder and read a batch at a time.
 */
export async function prepareRunTables(options: RunTablesOptions): Promise<RunTables> {
  const { dataset, split, spec, inputs, encoders, dataCheck } = options;
  const augmentable: AugmentedInput[] = [];
  const packs = shouldStream(spec.training.streaming, split, inputs)
    ? new PackFolder(packRoot(options.cache, dataset))
    : null;
  const cache = featureCache(options.cache, dataset);
  const pool = createPreprocessPool(options.pool);
  const splitOptions = { onInvalid: options.onInvalid, cache, pool, targets: options.targets };
  let prepared: Awaited<ReturnType<typeof splitTables>> | Awaited<ReturnType<typeof packSplits>>;
  try {
    prepared = await (packs
      ? packSplits(dataset, split, spec, inputs, encoders, dataCheck, { ...splitOptions, folder: packs })
      : splitTables(dataset, split, spec, inputs, encoders, dataCheck, {
          ...splitOptions,
          onTrainBatch: (input: ComposedInput, batch: FeatureBatch) => {
            const fitted = encoders[input.field]!;
            if (fitted.encoder.augment) augmentable.push({ input, fitted, batch });
          },
        })
    ).finally(() => pool.close());
  } catch (error) {
    packs?.remove();
    throw error;
  }
  const tables: RunTables['tables'] = prepared.tables;
  if (packs) {
    // Augmenting encoders read their training features from the packed files, a batch at a time.
    const train = tables.train as PackedTable;
    for (const input of inputs) {
      const fitted = encoders[input.field]!;
      if (!fitted.encoder.augment) continue;
      augmentable.push({
        input,
        fitted,
        packed: { features: train.files[input.featureInput]!, presence: train.files[input.presenceInput]! },
      });
    }
  }
  return {
    tables,
    parts: prepared.parts,
    dataCheck: prepared.dataCheck,
    augmentable,
    async dispose() {
      for (const table of Object.values(tables)) {
        if ('files' in table) await table.dispose();
        else disposeTable(table);
      }
      packs?.remove();
    },
  };
}

/**
 * Scores the trained model on the validation and test splits: the trainer's loss and accuracy plus
 * the task's metrics, and the report of the last split scored (test, else validation).
 */
export async function evaluateSplits(args: {
  readonly trainer: TrainerV1;
  readonly trainerTables: TrainerTables;
  readonly run: RunTables;
  readonly model: tf.LayersModel;
  readonly inspect: tf.LayersModel | null;
  readonly task: TaskSpec & { readonly labels: readonly string[] };
  readonly spec: ModelSpec;
  readonly inputs: readonly ComposedInput[];
  readonly history: TrainingHistory;
}): Promise<{
  metrics: { validation?: EvaluationMetrics; test?: EvaluationMetrics };
  report: EvaluationReport | null;
}> {
  const { trainer, trainerTables, run, model, task } = args;
  const metrics: { validation?: EvaluationMetrics; test?: EvaluationMetrics } = {};
  let report: EvaluationReport | null = null;
  for (const name of ['validation', 'test'] as const) {
    const table = run.tables[name];
    if (!table) continue;
    const base = await trainer.evaluate(model, task, trainerTables.forEvaluation(table));
    const scored = await scoreOutputs({
      model,
      inspect: args.inspect,
      table,
      fields: args.inputs.map((input) => input.field),
    });
    metrics[name] = evaluationMetrics(task, base, scored);
    report = reportFromOutputs({
      task,
      scored,
      records: run.parts[name].ids,
      split: name,
      spec: args.spec,
      model,
      history: args.history,
      loss: base.loss,
      skipped: skippedRecords(run.dataCheck),
    });
  }
  return { metrics, report };
}
