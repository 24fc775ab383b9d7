import { ErrorCode, OmnifuseError, stableStringify } from '@omnifuse/core';
import { z } from 'zod';
import { quantile } from '../anomaly/univariate.js';
import {
  checkFields,
  type DataRecord,
  isMissingValue,
  PLUGIN,
  parseOptions,
  type RecordId,
  type RecordNote,
  recordIds,
  type StepOutcome,
  showValue,
} from './records.js';

const STEP = 'missing';

const optionsSchema = z
  .object({
    fields: z.array(z.string()).min(1),
    strategy: z.enum(['drop-record', 'mean', 'median', 'mode', 'constant']),
    /** The fill value of `constant`. */
    value: z.unknown().optional(),
    /** Adds `<field>_missing` (1 where the value was missing, else 0) to every record. */
    indicator: z.boolean().default(false),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.strategy === 'constant' && o.value === undefined)
      ctx.addIssue({ code: 'custom', path: ['value'], message: "strategy 'constant' needs a value" });
    if (o.strategy === 'drop-record' && o.indicator)
      ctx.addIssue({
        code: 'custom',
        path: ['indicator'],
        message: "an indicator makes no sense with 'drop-record'",
      });
  });

export type MissingOptions = z.input<typeof optionsSchema>;

/** Fitted missing-value handling: plain JSON, so statistics fitted on train apply to test. */
export interface MissingState {
  readonly type: 'missing';
  readonly strategy: MissingOptions['strategy'];
  readonly fields: string[];
  /** Fill value per field (absent for `drop-record`). */
  readonly fills: Record<string, unknown>;
  readonly indicator: boolean;
}

/**
 * Fits fill values on `records`: `mean`/`median` of a field's numbers (a non-number is an error),
 * `mode` the most frequent value (ties: the smallest, as sklearn's `most_frequent`), `constant` the
 * given value. Missing means absent, null, a blank string or `NaN`.
 */
export function fitMissing(records: readonly DataRecord[], options: MissingOptions): MissingState {
  return fitMissingWithIds(records, options, recordIds(records));
}

export function fitMissingWithIds(
  records: readonly DataRecord[],
  options: MissingOptions,
  ids: readonly RecordId[],
): MissingState {
  const { fields, strategy, value, indicator } = parseOptions(STEP, optionsSchema, options);
  checkFields(STEP, records, fields);
  const fills: Record<string, unknown> = {};
  if (strategy !== 'drop-record') {
    for (const field of fields) {
      const present: { value: unknown; index: number }[] = [];
      records.forEach((record, index) => {
        if (!isMissingValue(record[field])) present.push({ value: record[field], index });
      });
      if (strategy === 'constant') {
        fills[field] = value;
        continue;
      }
      if (present.length === 0) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: `every value is missing: cannot fit the ${strategy}`,
          plugin: PLUGIN,
          step: STEP,
          field,
        });
      }
      if (strategy === 'mode') {
        fills[field] = mode(present.map((p) => p.value));
        continue;
      }
      const numbers = present.map(({ value: v, index }) => {
        if (typeof v === 'number' && Number.isFinite(v)) return v;
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: `the ${strategy} needs numbers`,
          plugin: PLUGIN,
          step: STEP,
          record: ids[index],
          field,
          expected: 'a finite number',
          found: showValue(v),
        });
      });
      fills[field] =
        strategy === 'mean'
          ? numbers.reduce((a, b) => a + b, 0) / numbers.length
          : quantile(
              numbers.sort((a, b) => a - b),
              0.5,
            );
    }
  }
  return { type: 'missing', strategy, fields, fills, indicator };
}

/** Applies fitted handling: drops or fills, and notes every removed or changed record. */
export function applyMissing(
  records: readonly DataRecord[],
  state: MissingState,
  options: { idField?: string } = {},
): StepOutcome {
  return applyMissingWithIds(records, state, recordIds(records, options.idField));
}

/** {@link fitMissing} then {@link applyMissing} on the same records. */
export function handleMissing(
  records: readonly DataRecord[],
  options: MissingOptions,
): StepOutcome & { state: MissingState } {
  const state = fitMissing(records, options);
  return { ...applyMissing(records, state), state };
}

export function applyMissingWithIds(
  records: readonly DataRecord[],
  state: MissingState,
  ids: readonly RecordId[],
): StepOutcome {
  if (state?.type !== 'missing' || !Array.isArray(state.fields)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'not a fitted missing-value state (from fitMissing)',
      plugin: PLUGIN,
      step: STEP,
    });
  }
  const out: DataRecord[] = [];
  const removed: RecordNote[] = [];
  const changed: RecordNote[] = [];
  records.forEach((record, index) => {
    const missing = state.fields.filter((field) => isMissingValue(record[field]));
    if (state.strategy === 'drop-record') {
      if (missing.length > 0) removed.push({ id: ids[index]!, reason: `missing ${missing.join(', ')}` });
      else out.push(record);
      return;
    }
    const next: Record<string, unknown> = { ...record };
    for (const field of missing) next[field] = state.fills[field];
    if (state.indicator) {
      for (const field of state.fields) next[`${field}_missing`] = missing.includes(field) ? 1 : 0;
    }
    if (missing.length > 0) {
      const how = state.strategy === 'constant' ? 'constant' : state.strategy;
      const fills = missing.map((field) => `${field} with ${how} ${showValue(state.fills[field])}`);
      changed.push({ id: ids[index]!, reason: `filled ${fills.join(', ')}` });
    }
    out.push(next);
  });
  return { records: out, removed, changed };
}

function mode(values: unknown[]): unknown {
  const counts = new Map<string, { value: unknown; count: number }>();
  for (const value of values) {
    const key = stableStringify(value);
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { value, count: 1 });
  }
  const best = Math.max(...[...counts.values()].map((e) => e.count));
  const tied = [...counts.values()].filter((e) => e.count === best).map((e) => e.value);
  return tied.sort(compareValues)[0];
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [stableStringify(a), stableStringify(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

export { optionsSchema as missingOptionsSchema };
