import type { TensorTable, TrainerFitArgs, TrainerV1 } from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { isPackedTable, type PackedTable } from './packed-table.js';

/**
 * Splits as a given trainer takes them. Tensor tables pass as they are; packed (streamed) tables
 * pass as they are to a trainer that streams, and as tensors, built once and disposed by
 * {@link TrainerTables.dispose}, to one that does not.
 */
export class TrainerTables {
  private readonly built = new Map<PackedTable, TensorTable>();

  constructor(private readonly trainer: TrainerV1) {}

  /** The table as tensors (built from a packed table on first use). */
  tensors(table: TensorTable | PackedTable): TensorTable {
    if (!isPackedTable(table)) return table;
    let built = this.built.get(table);
    if (!built) {
      built = table.toTensorTable();
      this.built.set(table, built);
    }
    return built;
  }

  /** The table for the trainer's `evaluate`. */
  forEvaluation(table: TensorTable | PackedTable): TensorTable | PackedTable {
    return this.trainer.streaming ? table : this.tensors(table);
  }

  /**
   * The fit arguments with the splits: for a trainer that streams, packed tables go in `streamed`
   * and `train` / `validation` build the tensors only if read (getters, so never spread the result).
   */
  fitArgs(
    rest: Omit<TrainerFitArgs, 'train' | 'validation' | 'streamed'>,
    train: TensorTable | PackedTable,
    validation: TensorTable | PackedTable | undefined,
  ): TrainerFitArgs {
    if (!isPackedTable(train) || !this.trainer.streaming) {
      return { ...rest, train: this.tensors(train), validation: validation && this.tensors(validation) };
    }
    const tables = this;
    const streamedValidation = validation && (validation as PackedTable);
    return {
      ...rest,
      streamed: { train, validation: streamedValidation },
      get train() {
        return tables.tensors(train);
      },
      get validation() {
        return streamedValidation && tables.tensors(streamedValidation);
      },
    };
  }

  /** Disposes the tensors built from packed tables (their targets stay the packed tables'). */
  dispose(): void {
    for (const table of this.built.values()) tf.dispose(Object.values(table.inputs));
    this.built.clear();
  }
}
