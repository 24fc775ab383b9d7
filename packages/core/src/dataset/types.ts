import type { MediaRef, ReadMedia } from '../spec/index.js';

/** One manifest row: a plain object from column (field) name to value. */
export type DataRecord = Readonly<Record<string, unknown>>;

/** What a field holds, as inferred from its values or given by the user. */
export type FieldType = 'number' | 'category' | 'text' | 'image' | 'audio' | 'vector' | 'binary';

export const FIELD_TYPES: readonly FieldType[] = [
  'number',
  'category',
  'text',
  'image',
  'audio',
  'vector',
  'binary',
];

/** Field types whose values are media references (files under the data root, or inline bytes). */
export const MEDIA_FIELD_TYPES: readonly FieldType[] = ['image', 'audio', 'binary'];

/** What inference found about one field. */
export interface FieldSummary {
  readonly type: FieldType;
  /** Records whose value is present (see `isMissing`). */
  readonly present: number;
  /** Records whose value is missing: absent, `null`, or a blank string. */
  readonly missing: number;
  /** Distinct present values (by their JSON form). */
  readonly distinct: number;
}

export type DatasetSchema = Readonly<Record<string, FieldSummary>>;

export type ManifestFormat = 'jsonl' | 'json' | 'csv' | 'tsv';

/** A manifest loaded into memory, with its data root and per-field types. */
export interface Dataset {
  /** Absolute data root; relative media paths resolve against it. */
  readonly root: string;
  /** Absolute manifest path, when loaded from a file; named in errors. */
  readonly source?: string;
  readonly records: readonly DataRecord[];
  /** Record ids: the `id` column when present and unique, else 0-based row numbers of the manifest. */
  readonly ids: readonly (string | number)[];
  /** Where `ids` came from. */
  readonly idSource: 'column' | 'row';
  /** Field names, in order of first appearance. */
  readonly fields: readonly string[];
  readonly fieldTypes: Readonly<Record<string, FieldType>>;
  /** Inference details per field (types as inferred, before any override). */
  readonly schema: DatasetSchema;
  readonly size: number;
  /** A field's values in record order (missing values included as found). */
  values(field: string): unknown[];
  /** True when record `index` has no value for `field`. */
  isMissing(index: number, field: string): boolean;
  /** The media reference of a media field's value; throws an OmnifuseError for missing or bad values. */
  mediaRef(index: number, field: string): MediaRef;
  /** Reads a media reference's bytes. */
  readonly readMedia: ReadMedia;
  /** A dataset of the given records (ids, root, field types kept). */
  subset(indices: readonly number[]): Dataset;
}
