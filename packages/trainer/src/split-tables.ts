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
  type RecordFailure,
  type Registry,
  type SplitName,
  splitDataset,
  splitOfIndices,
  type TensorTable,
  withPreprocessFailures,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import type { PreprocessPool } from './parallel-preprocess/pool.js';
import { packSplit } from './streaming/pack.js';
import { PackedTable, type PackFolder } from './streaming/packed-table.js';
import { featureTable } from './tables.js';

export type OnInvalid = 'fail' | 'skip';

const SPLITS = ['train', 'validation', 'test'] as const;

export interface CheckedSplitOptions {
  readonly onInvalid: OnInvalid;
  /** Where the encoders come from (training), or… */
  readonly registry?: Registry;
  /** …the encoders already created for training (`createSpecEncoders`), or… */
  readonly created?: Readonly<Record<string, EncoderV1>>;
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
    encoders: options.created ?? (options.encoders && encoderMap(options.encoders)),
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
): Promise<PreparedSplits<TensorTable>> {
  const trainBatches: [ComposedInput, FeatureBatch][] = [];
  const prepared = await prepareSplits(dataset, split, report, options, async (name, part) => {
    const table = await featureTable(part, spec, inputs, encoders, {
      cache: options.cache,
      pool: options.pool,
      invalid: 'collect',
      onFeatureBatch: name === 'train' ? (input, batch) => trainBatches.push([input, batch]) : undefined,
    });
    return {
      ...table,
      table: (size, target) => ({ size, inputs: table.tensors, target }),
      dispose: () => tf.dispose(Object.values(table.tensors)),
    };
  });
  for (const [input, batch] of trainBatches) options.onTrainBatch?.(input, batch);
  return prepared;
}

export interface PackSplitsOptions extends Omit<SplitTablesOptions, 'onTrainBatch'> {
  /** The run's pack folder: each split goes in its own subfolder. */
  readonly folder: PackFolder;
}

/**
 * {@link splitTables} for streaming: each split is preprocessed chunk by chunk straight into packed
 * files (`packSplit`) and read back a batch at a time (`PackedTable`), so memory holds neither a
 * split's features nor its tensors.
 */
export async function packSplits(
  dataset: Dataset,
  split: DatasetSplit,
  spec: ModelSpec,
  inputs: readonly ComposedInput[],
  encoders: Readonly<Record<string, FittedEncoder>>,
  report: DataCheckReport,
  options: PackSplitsOptions,
): Promise<PreparedSplits<PackedTable>> {
  return prepareSplits(dataset, split, report, options, async (name, part) => {
    const packed = await packSplit(part, spec, inputs, encoders, {
      dir: options.folder.split(name),
      cache: options.cache,
      pool: options.pool,
    });
    return {
      ...packed,
      table: (size, target) => new PackedTable(size, packed.columns, target),
      // The files go with the run's pack folder.
      dispose: () => {},
    };
  });
}

/** Tables of the splits that have records, the datasets they hold row for row, the updated report. */
export interface PreparedSplits<T> {
  tables: Partial<Record<SplitName, T>>;
  parts: Record<SplitName, Dataset>;
  dataCheck: DataCheckReport;
}

interface BuiltSplit<T> {
  readonly failures: readonly RecordFailure[];
  readonly kept: readonly number[] | null;
  /** The table of the kept rows, given its size and targets. */
  table(size: number, target: tf.Tensor): T;
  /** Frees what the split holds when a later step fails. */
  dispose(): void;
}

async function prepareSplits<T>(
  dataset: Dataset,
  split: DatasetSplit,
  report: DataCheckReport,
  options: Pick<SplitTablesOptions, 'onInvalid' | 'targets'>,
  build: (name: SplitName, part: Dataset) => Promise<BuiltSplit<T>>,
): Promise<PreparedSplits<T>> {
  const tables: Partial<Record<SplitName, T>> = {};
  const parts = { ...split.datasets };
  let dataCheck = report;
  const built: BuiltSplit<T>[] = [];
  const targets: tf.Tensor[] = [];
  try {
    for (const name of SPLITS) {
      const part = split.datasets[name];
      if (part.size === 0) continue;
      const splitBuilt = await build(name, part);
      built.push(splitBuilt);
      if (splitBuilt.kept) {
        // The split's datasets hold its rows of `dataset` in order.
        dataCheck = withPreprocessFailures(dataCheck, splitBuilt.failures, part, name, split[name]);
        parts[name] = part.subset(splitBuilt.kept);
      }
      // Under "fail" the remaining splits are still preprocessed, so the report lists every record.
      if (dataCheck !== report && options.onInvalid === 'fail') continue;
      const target = options.targets(parts[name]);
      targets.push(target);
      tables[name] = splitBuilt.table(parts[name].size, target);
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
    for (const b of built) b.dispose();
    tf.dispose(targets);
    throw error;
  }
  return { tables, parts, dataCheck };
}

/**
 * Whether a run streams its splits (`training.streaming`): `auto` streams when the splits' model
 * inputs, as tensors, would take more than {@link STREAMING_THRESHOLD_BYTES}.
 */
export function shouldStream(
  mode: 'auto' | 'always' | 'never' | undefined,
  split: DatasetSplit,
  inputs: readonly ComposedInput[],
): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return splitBytes(split, inputs) > STREAMING_THRESHOLD_BYTES;
}

/** `training.streaming: auto` streams above this many bytes of input tensors (512 MiB). */
export const STREAMING_THRESHOLD_BYTES = 512 * 1024 * 1024;

/** Bytes the splits' model inputs take as tensors (4 bytes per element, plus presence). */
export function splitBytes(split: DatasetSplit, inputs: readonly ComposedInput[]): number {
  const rows = SPLITS.reduce((sum, name) => sum + split.datasets[name].size, 0);
  return rows * inputBytesPerRow(inputs);
}

/** Bytes one record's model inputs take as tensors (4 bytes per element, plus presence). */
export function inputBytesPerRow(inputs: readonly ComposedInput[]): number {
  return inputs.reduce((sum, input) => sum + 4 * (input.featureSpec.shape.reduce((a, b) => a * b, 1) + 1), 0);
}

/** The split with the given rows (of the full dataset) left out. */
function withoutRows(split: DatasetSplit, dataset: Dataset, rows: readonly number[]): DatasetSplit {
  if (rows.length === 0) return split;
  const drop = new Set(rows);
  const keep = (indices: readonly number[]) => indices.filter((i) => !drop.has(i));
  return splitOfIndices(dataset, keep(split.train), keep(split.validation), keep(split.test));
}
