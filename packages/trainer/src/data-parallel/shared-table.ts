import { ErrorCode, isStreamedTable, OmnifuseError, type TrainingTable } from '@omnifuse/core';
import type * as tf from '@tensorflow/tfjs';
import { type FileColumn, type MemoryColumn, readRowsSync, type ZerosColumn } from '../streaming/columns.js';
import { isPackedTable } from '../streaming/packed-table.js';

type ColumnDtype = 'float32' | 'int32' | 'bool';
type ColumnArray = Float32Array | Int32Array | Uint8Array;

/** One table column in shared memory: `shape[0]` rows of `shape.slice(1)`. */
export interface SharedColumn {
  readonly kind?: 'memory';
  readonly buffer: SharedArrayBuffer;
  readonly dtype: ColumnDtype;
  readonly shape: readonly number[];
}

/** Where a worker reads a column: shared memory, a packed file (streaming), or nowhere (zeros). */
export type TableColumn = SharedColumn | MemoryColumn | FileColumn | ZerosColumn;

/**
 * A table every worker reads in place: one copy whatever the number of workers. Inputs are in
 * shared memory, or, for a streamed table, in its packed files, which each worker reads itself.
 */
export interface SharedTable {
  readonly size: number;
  readonly inputs: Readonly<Record<string, TableColumn>>;
  readonly target: SharedColumn;
}

export async function shareTable(table: TrainingTable): Promise<SharedTable> {
  const target = await shareTensor(table.target);
  if (isPackedTable(table)) return { size: table.size, inputs: table.files, target };
  if (isStreamedTable(table)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'training.workers above 1 reads streamed splits only from the files omnifuse packs',
      path: 'training.workers',
    });
  }
  const inputs: Record<string, SharedColumn> = {};
  for (const [name, tensor] of Object.entries(table.inputs)) inputs[name] = await shareTensor(tensor);
  return { size: table.size, inputs, target };
}

async function shareTensor(tensor: tf.Tensor): Promise<SharedColumn> {
  const dtype = tensor.dtype as ColumnDtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new TypeError(`a ${tensor.dtype} table column cannot be shared`);
  }
  const data = (await tensor.data()) as ColumnArray;
  const buffer = new SharedArrayBuffer(data.byteLength);
  columnView({ buffer, dtype, shape: tensor.shape }).set(data);
  return { buffer, dtype, shape: tensor.shape };
}

export function columnView(column: SharedColumn): ColumnArray {
  if (column.dtype === 'float32') return new Float32Array(column.buffer);
  if (column.dtype === 'int32') return new Int32Array(column.buffer);
  return new Uint8Array(column.buffer);
}

export function rowSize(column: TableColumn): number {
  return column.shape.slice(1).reduce((a, b) => a * b, 1);
}

/** The rows given, in order, copied out of the column (read from its file for a packed one). */
export function gatherRows(column: TableColumn, rows: readonly number[]): ColumnArray {
  if (column.kind === 'file' || column.kind === 'zeros') return readRowsSync(column, rows);
  const view = columnView(column);
  const size = rowSize(column);
  const out = new (view.constructor as new (length: number) => ColumnArray)(rows.length * size);
  rows.forEach((row, i) => {
    out.set(view.subarray(row * size, (row + 1) * size), i * size);
  });
  return out;
}
