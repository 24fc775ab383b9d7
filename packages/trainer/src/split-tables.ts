import {
  type ComposedInput,
  checkDataset,
  type DataCheckReport,
  type Dataset,
  type DatasetSplit,
  type EncoderV1,
  ErrorCode,
  type FeatureBatch,
  type FeatureCache,
  type FittedEncoder,
  invalidDataError,
  type ModelSpec,
  OmnifuseError,
  type Registry,
  type SplitName,
  splitDataset,
  splitOfIndices,
  type TensorTable,
  withPreprocessFailures,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import type { PreprocessPool } from './parallel-preprocess/pool.js';
import { featureTable } from './tables.js';

export type OnInvalid = 'fail' | 'skip';

const SPLITS = ['train', 'validation', 'test'] as const;

export interface CheckedSplitOptions {
  readonly onInvalid: OnInvalid;
  /** Where the encoders come from (training), or… */
  readonly registry?: Registry;
  /** …the fitted encoders of a trained model (fine-tuning, evaluation). */
  readonly encoders?: Readonly<Record<string, FittedEncoder>>;
  /** Labels a trained model knows. */
  readonly knownLabels?: readonly string[];
  readonly onCheck?: (report: DataCheckReport, onInvalid: OnInvalid) => void;
}

/**
 * Splits the data and checks every record (see `checkDataset`) before anything is fitted. Under
 * `fail` any invalid record throws `E_INVALID_DATA` with the whole report; under `skip` the invalid
 * records are left out of every split.
 */
export async function checkedSplit(
  dataset: Dataset,
  spec: ModelSpec,
  options: CheckedSplitOptions,
): Promise<{ split: DatasetSplit; dataCheck: DataCheckReport }> {
  const full = splitDataset(dataset, spec.split);
  const dataCheck = await checkDataset(dataset, spec, {
    registry: options.registry,
    encoders: options.encoders && encoderMap(options.encoders),
    knownLabels: options.knownLabels,
    split: full,
  });
  options.onCheck?.(dataCheck, options.onInvalid);
  if (dataCheck.invalid > 0 && options.onInvalid === 'fail') throw invalidDataError(dataCheck);
  return { split: withoutRows(full, dataset, dataCheck.invalidRows), dataCheck };
}

export function encoderMap(encoders: Readonly<Record<string, FittedEncoder>>): Record<string, EncoderV1> {
  return Object.fromEntries(Object.entries(encoders).map(([field, fitted]) => [field, fitted.encoder]));
}

export interface SplitTablesOptions {
  readonly onInvalid: OnInvalid;
  readonly cache?: FeatureCache;
  /** Preprocessing threads (see `createPreprocessPool`). */
  readonly pool?: PreprocessPool;
  /** Receives the training split's feature batches (e.g. to keep those an encoder augments). */
  readonly onTrainBatch?: (input: ComposedInput, batch: FeatureBatch) => void;
  /** The target tensor of a split's records. */
  readonly targets: (part: Dataset) => tf.Tensor;
}

/**
 * Preprocesses every split into tensor tables, collecting the records that fail while
 * preprocessing (bad media the check could not see, values an encoder refuses). Under `fail` they
 * are reported all at once (`E_INVALID_DATA`, after every split is done); under `skip` they are
 * dropped. Returns the tables, the datasets they hold (row for row) and the updated report.
 */
export async function splitTables(
  dataset: Dataset,
  split: DatasetSplit,
  spec: ModelSpec,
  inputs: readonly ComposedInput[],
  encoders: Readonly<Record<string, FittedEncoder>>,
  report: DataCheckReport,
  options: SplitTablesOptions,
): Promise<{
  tables: Partial<Record<SplitName, TensorTable>>;
  parts: Record<SplitName, Dataset>;
  dataCheck: DataCheckReport;
}> {
  const tables: Partial<Record<SplitName, TensorTable>> = {};
  const parts = { ...split.datasets };
  let dataCheck = report;
  const built: tf.Tensor[] = [];
  const trainBatches: [ComposedInput, FeatureBatch][] = [];
  const rowOfId = new Map(dataset.ids.map((id, row) => [id, row]));
  try {
    for (const name of SPLITS) {
      const part = split.datasets[name];
      if (part.size === 0) continue;
      const table = await featureTable(part, spec, inputs, encoders, {
        cache: options.cache,
        pool: options.pool,
        invalid: 'collect',
        onFeatureBatch: name === 'train' ? (input, batch) => trainBatches.push([input, batch]) : undefined,
      });
      built.push(...Object.values(table.tensors));
      if (table.kept) {
        const rows = part.ids.map((id) => rowOfId.get(id)!);
        dataCheck = withPreprocessFailures(dataCheck, table.failures, part, name, rows);
        parts[name] = part.subset(table.kept);
      }
      // Under "fail" the remaining splits are still preprocessed, so the report lists every record.
      if (dataCheck !== report && options.onInvalid === 'fail') continue;
      const target = options.targets(parts[name]);
      built.push(target);
      tables[name] = { size: parts[name].size, inputs: table.tensors, target };
    }
    if (dataCheck !== report && options.onInvalid === 'fail') throw invalidDataError(dataCheck);
    if (parts.train.size === 0) {
      throw new OmnifuseError({
        code: ErrorCode.Training,
        message: 'the training split is empty once the invalid records are skipped',
        path: 'split',
        file: dataset.source,
        found: { records: dataset.size, skipped: dataCheck.invalid },
      });
    }
  } catch (error) {
    tf.dispose(built);
    throw error;
  }
  for (const [input, batch] of trainBatches) options.onTrainBatch?.(input, batch);
  return { tables, parts, dataCheck };
}

/** The split with the given rows (of the full dataset) left out. */
function withoutRows(split: DatasetSplit, dataset: Dataset, rows: readonly number[]): DatasetSplit {
  if (rows.length === 0) return split;
  const drop = new Set(rows);
  const keep = (indices: readonly number[]) => indices.filter((i) => !drop.has(i));
  return splitOfIndices(dataset, keep(split.train), keep(split.validation), keep(split.test));
}
