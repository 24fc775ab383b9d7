import { ErrorCode, OmnifuseError, readMedia, sha256, stableStringify, toMediaRef } from '@omnifuse/core';
import { z } from 'zod';
import {
  checkFields,
  type DataRecord,
  fieldsOf,
  isMissingValue,
  PLUGIN,
  parseOptions,
  type RecordId,
  recordIds,
} from './records.js';

const STEP = 'duplicates';

const optionsSchema = z
  .object({
    /** Fields compared; default: every field but the id field. */
    fields: z.array(z.string()).min(1).optional(),
    /** Fields holding media paths (under `root`), data: URIs or bytes: compared by their bytes' sha256. */
    mediaFields: z.array(z.string()).default([]),
    root: z.string().optional(),
    idField: z.string().default('id'),
  })
  .strict();

export type FindDuplicatesOptions = z.input<typeof optionsSchema>;

/** Records with identical content in the compared fields; the first (by position) is the one to keep. */
export interface DuplicateGroup {
  /** sha256 of the compared content. */
  readonly hash: string;
  readonly ids: RecordId[];
  readonly indices: number[];
}

/**
 * Exact duplicates by a content hash of the chosen fields; media fields are hashed by their file
 * bytes, so the same image under two names is a duplicate. A media path escaping `root` is an
 * `E_PATH_OUTSIDE_ROOT` error, an unreadable file an `E_INPUT` error naming record and field.
 */
export async function findDuplicates(
  records: readonly DataRecord[],
  options: FindDuplicatesOptions = {},
): Promise<DuplicateGroup[]> {
  const parsed = parseOptions(STEP, optionsSchema, options);
  return duplicateGroups(records, parsed, recordIds(records, parsed.idField));
}

export async function duplicateGroups(
  records: readonly DataRecord[],
  options: z.output<typeof optionsSchema>,
  ids: readonly RecordId[],
): Promise<DuplicateGroup[]> {
  const fields = options.fields ?? fieldsOf(records).filter((field) => field !== options.idField);
  checkFields(STEP, records, [...fields, ...options.mediaFields]);
  const media = new Set(options.mediaFields);
  for (const field of media) {
    if (!fields.includes(field)) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `media field "${field}" is not among the compared fields`,
        plugin: PLUGIN,
        step: STEP,
        field,
      });
    }
  }
  if (media.size > 0 && options.root === undefined) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'mediaFields need a data root (`root`) to resolve their paths against',
      plugin: PLUGIN,
      step: STEP,
    });
  }
  const fileHashes = new Map<string, Promise<string>>();
  const hashMedia = async (value: unknown, record: RecordId, field: string): Promise<string> => {
    const where = { record, field };
    const ref = toMediaRef(value, options.root!, where);
    if (ref.kind === 'inline') return sha256(ref.bytes);
    let hash = fileHashes.get(ref.path);
    if (!hash) {
      hash = readMedia(ref, where).then((bytes) => sha256(bytes));
      fileHashes.set(ref.path, hash);
    }
    return hash;
  };
  const keys: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const content: [string, unknown][] = [];
    for (const field of [...fields].sort()) {
      const value = record[field];
      if (isMissingValue(value)) content.push([field, null]);
      else if (media.has(field)) content.push([field, { media: await hashMedia(value, ids[i]!, field) }]);
      else content.push([field, value]);
    }
    keys.push(sha256(stableStringify(content)));
  }
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  return [...groups]
    .filter(([, indices]) => indices.length > 1)
    .map(([hash, indices]) => ({ hash, indices, ids: indices.map((i) => ids[i]!) }));
}

export { optionsSchema as duplicatesOptionsSchema };
