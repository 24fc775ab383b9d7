import { type DataRecord, ErrorCode, isMissing, OmnifuseError } from '@omnifuse/core';
import type { z } from 'zod';

/** A manifest-like record (core's `DataRecord`); media fields hold paths relative to a data root. */
export type { DataRecord };
export type RecordId = string | number;

/** Why one record was removed or changed by a cleaning step. */
export interface RecordNote {
  readonly id: RecordId;
  readonly reason: string;
}

/** What one step did: the records it kept, and a note for each record it removed or changed. */
export interface StepOutcome {
  readonly records: DataRecord[];
  readonly removed: RecordNote[];
  readonly changed: RecordNote[];
}

export const PLUGIN = '@omnifuse/data';

/**
 * Record ids as core's datasets define them: the `idField` column when every record has a unique
 * string or number there, else 0-based positions.
 */
export function recordIds(records: readonly DataRecord[], idField = 'id'): RecordId[] {
  const seen = new Set<RecordId>();
  for (const record of records) {
    const id = record[idField];
    if (isMissing(id) || (typeof id !== 'string' && typeof id !== 'number') || seen.has(id))
      return records.map((_, i) => i);
    seen.add(id);
  }
  return records.map((record) => record[idField] as RecordId);
}

/** Missing here: core's `isMissing` (absent, null, blank string) or `NaN`, the numeric tables' marker. */
export function isMissingValue(value: unknown): boolean {
  return isMissing(value) || (typeof value === 'number' && Number.isNaN(value));
}

/** Every field that some record has, in order of first appearance. */
export function fieldsOf(records: readonly DataRecord[]): string[] {
  const fields = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) fields.add(key);
  return [...fields];
}

/** Refuses fields that no record has (a typo would otherwise clean nothing, silently). */
export function checkFields(step: string, records: readonly DataRecord[], fields: readonly string[]): void {
  if (records.length === 0) return;
  const known = new Set(fieldsOf(records));
  for (const field of fields) {
    if (!known.has(field)) {
      throw new OmnifuseError({
        code: ErrorCode.MissingField,
        message: `no record has field "${field}"`,
        plugin: PLUGIN,
        step,
        field,
        details: { available: [...known] },
      });
    }
  }
}

/** Parses options with a zod schema; failures are `E_OPTIONS` naming the step. */
export function parseOptions<T>(step: string, schema: z.ZodType<T>, options: unknown): T {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `invalid options: ${issues.join('; ')}`,
    plugin: PLUGIN,
    step,
  });
}

/** A short, printable rendering of a value for report reasons. */
export function showValue(value: unknown): string {
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
