import type { DataRecord, FieldType, PreprocessStats } from '@omnifuse/core';
import type { SerializedError } from '../thread-errors.js';

/** One slice of a field's records, preprocessed in a pool thread as `preprocessField` would. */
export interface SliceTask {
  readonly plugins: { readonly modules: readonly string[]; readonly baseDir: string };
  readonly encoder: { readonly id: string; readonly options: unknown; readonly state: unknown };
  readonly field: string;
  readonly dataset: {
    readonly root: string;
    readonly source?: string;
    readonly records: readonly DataRecord[];
    readonly ids: readonly (string | number)[];
    readonly fieldTypes: Readonly<Record<string, FieldType>>;
  };
  readonly cache: { readonly dir: string; readonly fsync: boolean } | null;
  readonly media?: boolean;
  readonly invalid: 'throw' | 'collect';
  /**
   * Where the features go: the whole field's arrays in shared memory (`dtype` as the feature spec's),
   * this slice's records from row `start` on. The calling thread copies nothing.
   */
  readonly output: {
    readonly data: SharedArrayBuffer;
    readonly presence: SharedArrayBuffer;
    readonly start: number;
  };
}

/** A failure of one record, its error as plain fields (indices are the slice's). */
export interface SliceFailure {
  readonly index: number;
  readonly fields: Readonly<Record<string, unknown>> & { readonly code: string; readonly message: string };
}

export interface SliceResult {
  readonly stats: PreprocessStats;
  readonly failures: readonly SliceFailure[];
}

/** What a thread answers instead of throwing (an error's own fields do not survive the message). */
export interface SliceError {
  readonly error: SerializedError;
}
