import type { StreamedTable, TrainingTable } from './spec/index.js';

/** Whether a split is read from disk batch by batch (`StreamedTable`) rather than held as tensors. */
export function isStreamedTable(table: TrainingTable): table is StreamedTable {
  return typeof (table as Partial<StreamedTable>).readInputs === 'function';
}
