import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { ReadMedia } from '../spec/index.js';
import { parseDelimitedRecord, scanDelimited } from './delimited-file.js';
import { parseJsonLine, scanJsonLines } from './jsonl-file.js';
import { manifestFormatOf, type ParseManifestOptions, parseManifestText } from './manifest-format.js';
import { readMedia, toMediaRef } from './media.js';
import { isMissing } from './missing.js';
import { fileRecordSource, type RecordFileIndex } from './record-file.js';
import { memorySource, type RecordSource, recordsView, subsetSource } from './record-source.js';
import { coerceRecords, createSchemaAccumulator, fieldNames, inferSchema, recordCoercion } from './schema.js';
import {
  type Dataset,
  type DatasetSchema,
  FIELD_TYPES,
  type FieldType,
  type ManifestFormat,
} from './types.js';

export interface DatasetOptions {
  /** Data root; defaults to the manifest's folder, or the working directory for in-code records. */
  readonly root?: string;
  /** Types to use instead of the inferred ones, e.g. `{ label: 'category' }` for numeric labels. */
  readonly fieldTypes?: Readonly<Record<string, FieldType>>;
  /** Column holding record ids; `id` by default. */
  readonly idField?: string;
}

export interface LoadManifestOptions extends DatasetOptions, ParseManifestOptions {
  /**
   * Where a JSON Lines, CSV or TSV manifest's records live once loaded. `file`: only an index of
   * byte offsets is held (24 bytes a record) and records are read from the file when used, so memory
   * does not grow with the manifest; `memory`: every record is held as an object. `auto` (default):
   * `file` for files over {@link RECORDS_ON_DISK_BYTES}. A `.json` array always loads into memory.
   */
  readonly records?: 'auto' | 'file' | 'memory';
}

/** JSON Lines, CSV and TSV manifests larger than this keep their records on disk (`records: 'auto'`). */
export const RECORDS_ON_DISK_BYTES = 8 * 1024 * 1024;

/** Records given in code, with an optional data root. */
export interface InlineManifest extends DatasetOptions {
  readonly records: readonly Record<string, unknown>[];
}

const ID_FIELD = 'id';

/**
 * Loads a manifest: a JSONL / JSON / CSV / TSV file, or records given in code. Field types are
 * inferred (see `inferSchema`) unless given; numeric strings in number fields become numbers. The
 * `id` column, when present with unique, non-missing values, names records in errors; otherwise
 * records are named by their 0-based row.
 */
export async function loadManifest(
  source: string | InlineManifest,
  options: LoadManifestOptions = {},
): Promise<Dataset> {
  if (typeof source !== 'string') {
    return createDataset(source.records, { ...source, ...options, root: options.root ?? source.root });
  }
  const file = path.resolve(source);
  if (await keepsRecordsOnDisk(file, options)) return loadOnDisk(file, options);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw manifestReadError(file, cause);
  }
  const records = parseManifestText(text, file, options);
  return createDataset(records, { ...options, root: options.root ?? path.dirname(file) }, file);
}

function manifestReadError(file: string, cause: unknown): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.Manifest,
    message:
      (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'manifest not found' : 'cannot read manifest',
    file,
    cause,
  });
}

async function keepsRecordsOnDisk(file: string, options: LoadManifestOptions): Promise<boolean> {
  const where = options.records ?? 'auto';
  if (where === 'memory' || manifestFormatOf(file, options.format) === 'json') return false;
  if (where === 'file') return true;
  try {
    return (await stat(file)).size > RECORDS_ON_DISK_BYTES;
  } catch (cause) {
    throw manifestReadError(file, cause);
  }
}

/** A manifest read once to type its fields and index its records, then read on demand. */
async function loadOnDisk(file: string, options: LoadManifestOptions): Promise<Dataset> {
  const idField = options.idField ?? ID_FIELD;
  const scanned = await scanManifest(file, options, idField);
  const fieldTypes = typesOf(scanned.schema, options.fieldTypes, file);
  return makeDataset({
    root: path.resolve(options.root ?? path.dirname(file)),
    source: file,
    records: fileRecordSource(scanned.index, scanned.parse, recordCoercion(fieldTypes, [idField])),
    ids: scanned.ids,
    idSource: scanned.idSource,
    fields: scanned.fields,
    fieldTypes,
    schema: scanned.schema,
  });
}

/**
 * One pass over a manifest file: its index, field types, ids, and how to parse one record. Its own
 * function so that the parser, which the dataset keeps, closes over nothing of the pass (the schema's
 * sets of distinct values would otherwise live as long as the dataset, in the closure's context).
 */
async function scanManifest(file: string, options: LoadManifestOptions, idField: string) {
  const schemaOf = createSchemaAccumulator();
  const ids = new RecordIds();
  const onRecord = (record: Record<string, unknown>) => {
    schemaOf.add(record);
    ids.add(record[idField]);
  };
  const format = manifestFormatOf(file, options.format);
  let index: RecordFileIndex;
  let columns: string[] = [];
  try {
    if (format === 'jsonl') index = await scanJsonLines(file, onRecord);
    else ({ index, columns } = await scanDelimited(file, format as 'csv' | 'tsv', options, onRecord));
  } catch (cause) {
    if (OmnifuseError.isInstance(cause)) throw cause;
    throw manifestReadError(file, cause);
  }
  const { schema, fields } = schemaOf.finish();
  return {
    index,
    schema,
    fields,
    ...ids.finish(index.size),
    parse: recordParser(file, format, options, columns),
  };
}

function recordParser(
  file: string,
  format: ManifestFormat,
  options: ParseManifestOptions,
  columns: readonly string[],
): (text: string, line: number) => Record<string, unknown> {
  if (format === 'jsonl') return (text, line) => parseJsonLine(text, file, line);
  return (text) => parseDelimitedRecord(text, format as 'csv' | 'tsv', options, columns);
}

/** A dataset over records already in memory. */
export function createDataset(
  records: readonly Record<string, unknown>[],
  options: DatasetOptions = {},
  source?: string,
): Dataset {
  records.forEach((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new OmnifuseError({
        code: ErrorCode.Manifest,
        message: 'every record must be a plain object',
        record: index,
        file: source,
        found: Array.isArray(record) ? 'array' : record === null ? 'null' : typeof record,
      });
    }
  });
  const idField = options.idField ?? ID_FIELD;
  const schema = inferSchema(records);
  const fieldTypes = typesOf(schema, options.fieldTypes, source);
  const coerced = coerceRecords(records, fieldTypes, [idField]);
  const ids = new RecordIds();
  for (const record of coerced) ids.add(record[idField]);
  return makeDataset({
    root: path.resolve(options.root ?? process.cwd()),
    source,
    records: memorySource(coerced),
    ...ids.finish(coerced.length),
    fields: fieldNames(coerced),
    fieldTypes,
    schema,
  });
}

/** Inferred field types with the user's overrides applied. */
function typesOf(
  schema: DatasetSchema,
  overrides: Readonly<Record<string, FieldType>> | undefined,
  source: string | undefined,
): Record<string, FieldType> {
  const fieldTypes: Record<string, FieldType> = {};
  for (const [field, summary] of Object.entries(schema)) fieldTypes[field] = summary.type;
  for (const [field, type] of Object.entries(overrides ?? {})) {
    if (!FIELD_TYPES.includes(type)) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: 'unknown field type',
        field,
        file: source,
        expected: FIELD_TYPES,
        found: type,
      });
    }
    fieldTypes[field] = type;
  }
  return fieldTypes;
}

/** Record ids from the id column while its values are present and unique; else 0-based rows. */
class RecordIds {
  private ids: (string | number)[] | undefined = [];
  private readonly seen = new Set<string | number>();

  add(id: unknown): void {
    if (this.ids === undefined) return;
    if (isMissing(id) || (typeof id !== 'string' && typeof id !== 'number') || this.seen.has(id)) {
      this.ids = undefined;
      this.seen.clear();
      return;
    }
    this.seen.add(id);
    this.ids.push(id);
  }

  finish(size: number): { ids: (string | number)[]; idSource: 'column' | 'row' } {
    this.seen.clear();
    if (this.ids === undefined || size === 0)
      return { ids: Array.from({ length: size }, (_, i) => i), idSource: 'row' };
    return { ids: this.ids, idSource: 'column' };
  }
}

interface DatasetParts {
  readonly root: string;
  readonly source?: string;
  readonly records: RecordSource;
  readonly ids: readonly (string | number)[];
  readonly idSource: 'column' | 'row';
  readonly fields: readonly string[];
  readonly fieldTypes: Readonly<Record<string, FieldType>>;
  readonly schema: DatasetSchema;
}

function makeDataset(parts: DatasetParts): Dataset {
  const { root, source, records, ids } = parts;
  const where = (index: number, field: string) => ({ record: ids[index], field, file: source });
  const checkIndex = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= records.size) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: 'record index out of range',
        file: source,
        expected: `0..${records.size - 1}`,
        found: index,
      });
    }
  };
  const list = records.array ?? recordsView(records);
  const dataset: Dataset = {
    root,
    source,
    ids,
    idSource: parts.idSource,
    fields: parts.fields,
    fieldTypes: parts.fieldTypes,
    schema: parts.schema,
    records: list,
    size: records.size,
    values: (field) => {
      const values: unknown[] = new Array(records.size);
      for (let i = 0; i < records.size; i++) values[i] = records.get(i)[field];
      return values;
    },
    isMissing: (index, field) => {
      checkIndex(index);
      return isMissing(records.get(index)[field]);
    },
    mediaRef: (index, field) => {
      checkIndex(index);
      return toMediaRef(records.get(index)[field], root, where(index, field));
    },
    readMedia: ((ref) => readMedia(ref, { root })) satisfies ReadMedia,
    subset: (indices) => {
      indices.forEach(checkIndex);
      return makeDataset({
        ...parts,
        records: subsetSource(records, indices),
        ids: indices.map((i) => ids[i]!),
      });
    },
  };
  return dataset;
}
