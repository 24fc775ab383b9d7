import type { MediaRef } from './feature.js';

/** Where a value comes from, so an encoder's error can name the record and the field. */
export interface RecordContext {
  /** Record id (the manifest's `id` column, else its 0-based row). */
  readonly record: string | number;
  /** Input field name in the manifest. */
  readonly field: string;
}

/** Reads a media reference's bytes (the dataset has already checked the path). */
export type ReadMedia = (ref: MediaRef) => Promise<Uint8Array>;
