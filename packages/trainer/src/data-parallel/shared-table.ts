import type { TensorTable } from '@omnifuse/core';
import type * as tf from '@tensorflow/tfjs';

type ColumnDtype = 'float32' | 'int32' | 'bool';
type ColumnArray = Float32Array | Int32Array | Uint8Array;

/** One table column in shared memory: `shape[0]` rows of `shape.slice(1)`. */
export interface SharedColumn {
  readonly buffer: SharedArrayBuffer;
  readonly dtype: ColumnDtype;
  readonly shape: readonly number[];
}

/** A tensor table every worker reads in place: one copy whatever the number of workers. */
export interface SharedTable {
  readonly size: number;
  readonly inputs: Readonly<Record<string, SharedColumn>>;
  readonly target: SharedColumn;
}

export async function shareTable(table: TensorTable): Promise<SharedTable> {
  const inputs: Record<string, SharedColumn> = {};
  for (const [name, tensor] of Object.entries(table.inputs)) inputs[name] = await shareTensor(tensor);
  return { size: table.size, inputs, target: await shareTensor(table.target) };
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

export function rowSize(column: SharedColumn): number {
  return column.shape.slice(1).reduce((a, b) => a * b, 1);
}

/** The rows given, in order, copied out of the column. */
export function gatherRows(column: SharedColumn, rows: readonly number[]): ColumnArray {
  const view = columnView(column);
  const size = rowSize(column);
  const out = new (view.constructor as new (length: number) => ColumnArray)(rows.length * size);
  rows.forEach((row, i) => {
    out.set(view.subarray(row * size, (row + 1) * size), i * size);
  });
  return out;
}
