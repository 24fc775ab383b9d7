import { ErrorCode, isMissing, OmnifuseError, readMedia, toMediaRef } from '@omnifuse/core';
import { z } from 'zod';
import { checkFields, type DataRecord, PLUGIN, parseOptions, type RecordId, recordIds } from './records.js';

const STEP = 'media';

/** Decodes (or just validates) one media value's bytes; throws or rejects when they are bad. */
export type MediaDecoder = (bytes: Uint8Array, field: string, record: DataRecord) => Promise<void> | void;

const optionsSchema = z
  .object({
    root: z.string(),
    fields: z.array(z.string()).min(1),
    decode: z.custom<MediaDecoder>((value) => typeof value === 'function', 'a function'),
    /** Files decoded at once. */
    concurrency: z.number().int().min(1).default(4),
    idField: z.string().default('id'),
  })
  .strict();

export type CheckMediaOptions = z.input<typeof optionsSchema>;

export interface MediaFailure {
  readonly index: number;
  readonly id: RecordId;
  readonly field: string;
  readonly value: string;
  readonly message: string;
}

export interface MediaCheck {
  readonly failures: MediaFailure[];
  /** Values read and decoded (failed ones included). */
  readonly checked: number;
  /** Missing values: not checked (handle them with `handleMissing`). */
  readonly missing: number;
}

/**
 * Reads every media value of `fields` under `root` and runs the injected `decode` on its bytes;
 * unreadable files and decoder errors are collected with their message, not thrown. A path escaping
 * the root is thrown (`E_PATH_OUTSIDE_ROOT`): that is a manifest to fix, not a bad file to drop.
 */
export async function checkMedia(
  records: readonly DataRecord[],
  options: CheckMediaOptions,
): Promise<MediaCheck> {
  const parsed = parseOptions(STEP, optionsSchema, options);
  return checkMediaWithIds(records, parsed, recordIds(records, parsed.idField));
}

export async function checkMediaWithIds(
  records: readonly DataRecord[],
  options: z.output<typeof optionsSchema>,
  ids: readonly RecordId[],
): Promise<MediaCheck> {
  checkFields(STEP, records, options.fields);
  const jobs: { index: number; field: string; value: unknown }[] = [];
  let missing = 0;
  records.forEach((record, index) => {
    for (const field of options.fields) {
      const value = record[field];
      if (isMissing(value)) missing++;
      else jobs.push({ index, field, value });
    }
  });
  const failures: (MediaFailure | undefined)[] = new Array(jobs.length);
  const fail = (j: number, error: unknown) => {
    const { index, field, value } = jobs[j]!;
    const message = OmnifuseError.isInstance(error)
      ? error.reason
      : error instanceof Error
        ? error.message
        : String(error);
    const shown = typeof value === 'string' && !value.startsWith('data:') ? value : '(inline)';
    failures[j] = { index, id: ids[index]!, field, value: shown, message };
  };
  // Resolve every path first, so an escaping path fails before any file is decoded.
  const refs = jobs.map((job, j) => {
    try {
      return toMediaRef(job.value, options.root, { record: ids[job.index], field: job.field });
    } catch (error) {
      if (OmnifuseError.isInstance(error) && error.code === ErrorCode.PathOutsideRoot)
        throw error.withContext({ plugin: PLUGIN, step: STEP });
      fail(j, error);
      return undefined;
    }
  });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const j = next++;
      const ref = refs[j];
      if (!ref) continue;
      const { index, field } = jobs[j]!;
      try {
        const bytes = await readMedia(ref, { record: ids[index], field });
        await options.decode(bytes, field, records[index]!);
      } catch (error) {
        fail(j, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, jobs.length) }, worker));
  return {
    failures: failures.filter((f): f is MediaFailure => f !== undefined),
    checked: jobs.length,
    missing,
  };
}

export { optionsSchema as checkMediaOptionsSchema };
