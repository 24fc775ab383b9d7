import { mkdirSync, writeSync } from 'node:fs';
import path from 'node:path';
import {
  type ComposedInput,
  type Dataset,
  type EncoderV1,
  type FeatureBatch,
  type FeatureCache,
  type FittedEncoder,
  featureArrayType,
  type ModelSpec,
  type PreprocessProgress,
  preprocessField,
  type RecordFailure,
  tensorDTypeOf,
  writeFileAtomic,
} from '@omnifuse/core';
import { heapBudget } from '../heap-budget.js';
import type { PreprocessPool } from '../parallel-preprocess/pool.js';
import { missingInputFailure } from '../tables.js';
import type { PackedColumn, StorageDtype } from './columns.js';

/** Rows preprocessed per step while packing: about this many bytes of features, within bounds. */
const CHUNK_BYTES = 16 * 1024 * 1024;
const MIN_CHUNK_ROWS = 1024;
const MAX_CHUNK_ROWS = 16384;

export interface PackSplitOptions {
  /** Folder the split's files go in (created). */
  readonly dir: string;
  readonly cache?: FeatureCache;
  readonly pool?: PreprocessPool;
  readonly onProgress?: (field: string, progress: PreprocessProgress) => void;
}

/** A split's model inputs packed on disk, and the records that could not be preprocessed. */
export interface PackedSplit {
  /** By model-input name (features and presence), logical rows = the kept records. */
  readonly columns: Record<string, PackedColumn>;
  /** By index in the dataset given. */
  readonly failures: readonly RecordFailure[];
  /** Rows of the dataset the columns hold, in order; null when every row is kept. */
  readonly kept: readonly number[] | null;
}

/**
 * Preprocesses every input field of a split (through the feature cache, a chunk of records at a
 * time) straight into one fixed-stride file per input (uint8 features stay one byte per element);
 * the presence columns (4 bytes per record) stay in shared memory. Memory holds one chunk of
 * features, whatever the split's size. Each file is written under a temporary name and renamed when
 * complete. Records that fail, and required inputs that are missing, are collected (`invalid:
 * 'collect'` semantics of `featureTable`); their rows stay in the files and are left out through the
 * columns' row map.
 */
export async function packSplit(
  dataset: Dataset,
  spec: ModelSpec,
  inputs: readonly ComposedInput[],
  encoders: Readonly<Record<string, FittedEncoder>>,
  options: PackSplitOptions,
): Promise<PackedSplit> {
  mkdirSync(options.dir, { recursive: true });
  const n = dataset.size;
  const failures: RecordFailure[] = [];
  const written: { input: ComposedInput; features: string | null; presence: Float32Array | null }[] = [];
  // Each chunk's records and features die in the old generation: keep their garbage bounded.
  const collectWhenOverBudget = heapBudget();
  for (const [k, input] of inputs.entries()) {
    const optional = spec.inputs.find((i) => i.field === input.field)?.optional ?? false;
    if (!dataset.fields.includes(input.field) && (optional || n === 0)) {
      written.push({ input, features: null, presence: null });
      continue;
    }
    const features = path.join(options.dir, `${k}.features`);
    // 4 bytes per record, read with every batch: kept in memory rather than read row by row.
    const presence = new Float32Array(n);
    const { encoder, state } = encoders[input.field]!;
    const specOptions = spec.inputs.find((i) => i.field === input.field)?.options ?? {};
    const storage = input.featureSpec.dtype as StorageDtype;
    const elements = input.featureSpec.shape.reduce((a, b) => a * b, 1);
    const rowBytes = elements * (storage === 'uint8' ? 1 : 4);
    const chunk = Math.max(
      MIN_CHUNK_ROWS,
      Math.min(MAX_CHUNK_ROWS, Math.floor(CHUNK_BYTES / Math.max(1, rowBytes))),
    );
    // One chunk's arrays, in shared memory so preprocessing threads write into them, reused for every
    // chunk: memory stays at one chunk, and no chunk's buffers wait for the garbage collector.
    const ArrayType = featureArrayType(input.featureSpec.dtype);
    const chunkData = new ArrayType(
      new SharedArrayBuffer(Math.min(chunk, n) * elements * ArrayType.BYTES_PER_ELEMENT),
    );
    const chunkPresence = new Float32Array(new SharedArrayBuffer(Math.min(chunk, n) * 4));
    await writeFileAtomic(features, async ({ fd: featureFd }) => {
      for (let start = 0; start < n; start += chunk) {
        collectWhenOverBudget();
        const rows = Array.from({ length: Math.min(chunk, n - start) }, (_, i) => start + i);
        const part = dataset.subset(rows);
        const fieldOptions = {
          cache: options.cache,
          invalid: 'collect' as const,
          into: { data: chunkData, presence: chunkPresence, offset: 0 },
          onProgress:
            options.onProgress &&
            ((p: PreprocessProgress) =>
              options.onProgress!(input.field, { ...p, done: start + p.done, total: n })),
        };
        const batch: FeatureBatch = options.pool
          ? await options.pool.preprocessField(
              part,
              input.field,
              encoder as EncoderV1<unknown, unknown>,
              { id: encoder.id, options: specOptions, state },
              fieldOptions,
            )
          : await preprocessField(part, input.field, encoder, state, fieldOptions);
        writeAll(featureFd, bytesOf(batch.data), start * rowBytes);
        presence.set(batch.presence, start);
        const failed = new Set<number>();
        for (const failure of batch.failures) {
          failures.push({ ...failure, index: failure.index + start });
          failed.add(failure.index);
        }
        if (optional) continue;
        for (let i = 0; i < rows.length; i++) {
          if (batch.presence[i] !== 0 || failed.has(i)) continue;
          failures.push(missingInputFailure(dataset, start + i, input.field));
        }
      }
    });
    written.push({ input, features, presence });
  }
  failures.sort((a, b) => a.index - b.index);
  const failedRows = new Set(failures.map((f) => f.index));
  const kept = failedRows.size > 0 ? [...Array(n).keys()].filter((row) => !failedRows.has(row)) : null;
  const size = kept ? kept.length : n;
  let rowMap: SharedArrayBuffer | null = null;
  if (kept) {
    rowMap = new SharedArrayBuffer(kept.length * 4);
    new Int32Array(rowMap).set(kept);
  }
  const columns: Record<string, PackedColumn> = {};
  for (const { input, features, presence } of written) {
    const dtype = tensorDTypeOf(input.featureSpec.dtype);
    const featureShape = [size, ...input.featureSpec.shape];
    columns[input.featureInput] = features
      ? {
          kind: 'file',
          path: features,
          storage: input.featureSpec.dtype as StorageDtype,
          dtype,
          shape: featureShape,
          rowMap,
        }
      : { kind: 'zeros', dtype, shape: featureShape };
    columns[input.presenceInput] = presence
      ? { kind: 'memory', buffer: keptPresence(presence, kept), dtype: 'float32', shape: [size, 1] }
      : { kind: 'zeros', dtype: 'float32', shape: [size, 1] };
  }
  return { columns, failures, kept };
}

/** The presence of the kept rows, in shared memory for the worker threads. */
function keptPresence(presence: Float32Array, kept: readonly number[] | null): SharedArrayBuffer {
  const rows = kept ?? null;
  const buffer = new SharedArrayBuffer((rows ? rows.length : presence.length) * 4);
  const view = new Float32Array(buffer);
  if (rows) {
    for (const [i, row] of rows.entries()) view[i] = presence[row]!;
  } else view.set(presence);
  return buffer;
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}
