import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { StreamedColumn, StreamedTable, TensorTable } from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { ColumnReader, type PackedColumn, readRowsSync } from './columns.js';

/**
 * A split packed on disk ({@link packSplit}) read as a {@link StreamedTable}: each `readInputs`
 * reads the rows' features with positioned reads and builds the batch's tensors; nothing else of the
 * split is held but the targets. Worker threads read the same files (`files`).
 */
export class PackedTable implements StreamedTable {
  readonly columns: Readonly<Record<string, StreamedColumn>>;
  private readonly reader = new ColumnReader();

  constructor(
    readonly size: number,
    readonly files: Readonly<Record<string, PackedColumn>>,
    readonly target: tf.Tensor,
  ) {
    this.columns = Object.fromEntries(
      Object.entries(files).map(([name, column]) => [
        name,
        { shape: column.shape.slice(1), dtype: column.dtype },
      ]),
    );
  }

  async readInputs(rows: readonly number[]): Promise<Record<string, tf.Tensor>> {
    const entries = await Promise.all(
      Object.entries(this.files).map(async ([name, column]) => {
        const data = await this.reader.read(column, rows);
        return [name, data, column] as const;
      }),
    );
    const out: Record<string, tf.Tensor> = {};
    for (const [name, data, column] of entries) {
      out[name] = tf.tensor(data, [rows.length, ...column.shape.slice(1)], column.dtype);
    }
    return out;
  }

  /**
   * The whole split as tensors, for a trainer that does not stream (memory then grows with the
   * split, as without streaming). The caller disposes the inputs; the target stays this table's.
   */
  toTensorTable(): TensorTable {
    const rows = Array.from({ length: this.size }, (_, i) => i);
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, column] of Object.entries(this.files)) {
      inputs[name] = tf.tensor(
        readRowsSync(column, rows),
        [this.size, ...column.shape.slice(1)],
        column.dtype,
      );
    }
    return { size: this.size, inputs, target: this.target };
  }

  /** Closes the files and disposes the target (the files stay; see {@link PackFolder}). */
  async dispose(): Promise<void> {
    this.target.dispose();
    await this.reader.close();
  }
}

export function isPackedTable(table: unknown): table is PackedTable {
  return table instanceof PackedTable;
}

/**
 * The folder one training run packs its splits into, `<root>/run-<pid>-<random>`, removed when the
 * run ends. Folders that runs killed before their end left behind (their process is gone) are
 * removed when the next run starts.
 */
export class PackFolder {
  readonly dir: string;

  constructor(root: string) {
    mkdirSync(root, { recursive: true });
    removeAbandoned(root);
    this.dir = path.join(root, `run-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
    mkdirSync(this.dir, { recursive: true });
  }

  split(name: string): string {
    return path.join(this.dir, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function removeAbandoned(root: string): void {
  for (const entry of readdirSync(root)) {
    const pid = Number(/^run-(\d+)-/.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
