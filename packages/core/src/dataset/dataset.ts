import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { ReadMedia } from '../spec/index.js';
import { type ParseManifestOptions, parseManifestText } from './manifest-format.js';
import { readMedia, toMediaRef } from './media.js';
import { isMissing } from './missing.js';
import { coerceRecords, fieldNames, inferSchema } from './schema.js';
import { type DataRecord, type Dataset, type DatasetSchema, FIELD_TYPES, type FieldType } from './types.js';

export interface DatasetOptions {
  /** Data root; defaults to the manifest's folder, or the working directory for in-code records. */
  readonly root?: string;
  /** Types to use instead of the inferred ones, e.g. `{ label: 'category' }` for numeric labels. */
  readonly fieldTypes?: Readonly<Record<string, FieldType>>;
  /** Column holding record ids; `id` by default. */
  readonly idField?: string;
}

export interface LoadManifestOptions extends DatasetOptions, ParseManifestOptions {}

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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new OmnifuseError({
      code: ErrorCode.Manifest,
      message:
        (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'manifest not found' : 'cannot read manifest',
      file,
      cause,
    });
  }
  const records = parseManifestText(text, file, options);
  return createDataset(records, { ...options, root: options.root ?? path.dirname(file) }, file);
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
  const fieldTypes: Record<string, FieldType> = {};
  for (const [field, summary] of Object.entries(schema)) fieldTypes[field] = summary.type;
  for (const [field, type] of Object.entries(options.fieldTypes ?? {})) {
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
  const coerced = coerceRecords(records, fieldTypes, [idField]);
  const { ids, idSource } = recordIds(coerced, idField);
  return makeDataset({
    root: path.resolve(options.root ?? process.cwd()),
    source,
    records: coerced,
    ids,
    idSource,
    fields: fieldNames(coerced),
    fieldTypes,
    schema,
  });
}

function recordIds(
  records: readonly DataRecord[],
  idField: string,
): { ids: (string | number)[]; idSource: 'column' | 'row' } {
  const ids: (string | number)[] = [];
  const seen = new Set<string | number>();
  for (const record of records) {
    const id = record[idField];
    if (isMissing(id) || (typeof id !== 'string' && typeof id !== 'number') || seen.has(id)) {
      return { ids: records.map((_, i) => i), idSource: 'row' };
    }
    seen.add(id);
    ids.push(id);
  }
  return { ids, idSource: records.length > 0 ? 'column' : 'row' };
}

interface DatasetParts {
  readonly root: string;
  readonly source?: string;
  readonly records: readonly DataRecord[];
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
    if (!Number.isInteger(index) || index < 0 || index >= records.length) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: 'record index out of range',
        file: source,
        expected: `0..${records.length - 1}`,
        found: index,
      });
    }
  };
  const dataset: Dataset = {
    ...parts,
    size: records.length,
    values: (field) => records.map((record) => record[field]),
    isMissing: (index, field) => {
      checkIndex(index);
      return isMissing(records[index]![field]);
    },
    mediaRef: (index, field) => {
      checkIndex(index);
      return toMediaRef(records[index]![field], root, where(index, field));
    },
    readMedia: ((ref) => readMedia(ref, { root })) satisfies ReadMedia,
    subset: (indices) => {
      indices.forEach(checkIndex);
      return makeDataset({
        ...parts,
        records: indices.map((i) => records[i]!),
        ids: indices.map((i) => ids[i]!),
      });
    },
  };
  return dataset;
}
