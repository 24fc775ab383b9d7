import { closeSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/** How a packed column stores a row element on disk; uint8 features stay one byte per element. */
export type StorageDtype = 'float32' | 'int32' | 'uint8';
/** The tensor dtype a packed column is read as. */
export type ColumnDtype = 'float32' | 'int32';

/**
 * One model input's rows in a packed file: row `r` (physical) at byte `r × rowBytes`, row-major,
 * little-endian. `rowMap` (shared memory, one int32 per logical row) maps the table's rows to the
 * file's rows when some records were dropped; the file itself is never rewritten.
 */
export interface FileColumn {
  readonly kind: 'file';
  readonly path: string;
  readonly storage: StorageDtype;
  readonly dtype: ColumnDtype;
  /** `[rows, ...row shape]`, logical rows. */
  readonly shape: readonly number[];
  readonly rowMap: SharedArrayBuffer | null;
}

/**
 * A small column held in shared memory, `shape[0]` rows (a presence column: 4 bytes per record, read
 * with every batch, is cheaper kept than read row by row).
 */
export interface MemoryColumn {
  readonly kind: 'memory';
  readonly buffer: SharedArrayBuffer;
  readonly dtype: 'float32';
  readonly shape: readonly number[];
}

/** Any column of a packed split. */
export type PackedColumn = FileColumn | ZerosColumn | MemoryColumn;

/** A column with no file: every row zeros (an optional input no record has). */
export interface ZerosColumn {
  readonly kind: 'zeros';
  readonly dtype: ColumnDtype;
  readonly shape: readonly number[];
}

const STORAGE_ARRAYS = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array } as const;
const BYTES: Record<StorageDtype, number> = { float32: 4, int32: 4, uint8: 1 };

export function elementsPerRow(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

export function rowBytes(column: FileColumn): number {
  return elementsPerRow(column.shape) * BYTES[column.storage];
}

function physicalRow(column: FileColumn, row: number): number {
  return column.rowMap ? new Int32Array(column.rowMap)[row]! : row;
}

/** The rows given, in order, as the column's tensor dtype (synchronous reads: worker threads, augmentation). */
export function readRowsSync(column: PackedColumn, rows: readonly number[]): Float32Array | Int32Array {
  const read = startRead(column, rows);
  if (!read.file) return read.out;
  const { file, raw, bytes } = read;
  // Opened per call: worker threads share the process's descriptors, and are terminated.
  const fd = openSync(file.path, 'r');
  try {
    rows.forEach((row, i) => {
      readFully(fd, raw, i * bytes, bytes, physicalRow(file, row) * bytes, file.path);
    });
  } finally {
    closeSync(fd);
  }
  return finishRead(read);
}

interface RowsRead {
  readonly out: Float32Array | Int32Array;
  /** The file to read, or null when `out` is complete (zeros, a column in memory). */
  readonly file: FileColumn | null;
  /** The rows' bytes as stored, `bytes` each, to fill from the file. */
  readonly raw: Uint8Array;
  readonly bytes: number;
}

/** The output array of a read, complete unless the column's rows must come from its file. */
function startRead(column: PackedColumn, rows: readonly number[]): RowsRead {
  const size = elementsPerRow(column.shape);
  const out =
    column.dtype === 'float32' ? new Float32Array(rows.length * size) : new Int32Array(rows.length * size);
  const empty = { out, file: null, raw: new Uint8Array(0), bytes: 0 };
  if (column.kind === 'zeros') return empty;
  if (column.kind === 'memory') {
    gatherMemory(column, rows, out);
    return empty;
  }
  const bytes = rowBytes(column);
  return { out, file: column, raw: new Uint8Array(bytes * rows.length), bytes };
}

/** The bytes read, converted from the stored dtype to the column's. */
function finishRead({ out, file, raw }: RowsRead): Float32Array | Int32Array {
  out.set(new STORAGE_ARRAYS[file!.storage](raw.buffer as ArrayBuffer, raw.byteOffset, out.length));
  return out;
}

function gatherMemory(column: MemoryColumn, rows: readonly number[], out: Float32Array | Int32Array) {
  const view = new Float32Array(column.buffer);
  const size = elementsPerRow(column.shape);
  rows.forEach((row, i) => {
    out.set(view.subarray(row * size, (row + 1) * size), i * size);
  });
  return out;
}

function readFully(
  fd: number,
  into: Uint8Array,
  at: number,
  length: number,
  position: number,
  path: string,
): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, at + done, length - done, position + done);
    if (n === 0) throw new Error(`${path}: the packed file ends before byte ${position + length}`);
    done += n;
  }
}

/**
 * Asynchronous reader of a thread's columns: each batch's rows are read with positioned reads on
 * libuv's thread pool, so the next batch can be read while the current one trains.
 */
export class ColumnReader {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  async read(column: PackedColumn, rows: readonly number[]): Promise<Float32Array | Int32Array> {
    const read = startRead(column, rows);
    if (!read.file) return read.out;
    const { file, raw, bytes } = read;
    const handle = await this.handle(file.path);
    // Runs of consecutive rows are read at once (evaluation reads in order).
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < rows.length; ) {
      const start = physicalRow(file, rows[i]!);
      let run = 1;
      while (i + run < rows.length && physicalRow(file, rows[i + run]!) === start + run) run++;
      reads.push(readAll(handle, raw, i * bytes, run * bytes, start * bytes, file.path));
      i += run;
    }
    await Promise.all(reads);
    return finishRead(read);
  }

  private handle(path: string) {
    let handle = this.handles.get(path);
    if (!handle) {
      handle = open(path, 'r');
      this.handles.set(path, handle);
    }
    return handle;
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map(async (h) => (await h).close()));
  }
}

async function readAll(
  handle: FileHandle,
  into: Uint8Array,
  at: number,
  length: number,
  position: number,
  path: string,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(into, at + done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`${path}: the packed file ends before byte ${position + length}`);
    done += bytesRead;
  }
}
