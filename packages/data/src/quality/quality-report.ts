import { z } from 'zod';
import { inputError, parseOptions } from '../errors.js';
import { isPresent, sameValue } from '../fuse/values.js';
import type { DataRecord } from '../match/match-records.js';

const reportOptions = z.strictObject({
  fields: z.array(z.string().min(1)).min(1),
  /** Field naming the entity; needed for consistency, uniqueness and accuracy. */
  key: z.string().min(1).optional(),
  /** Field naming the source of each record (per-source completeness). */
  sources: z.string().min(1).optional(),
  /** Known true records, matched to records by `key`. */
  truth: z.array(z.record(z.string(), z.unknown())).optional(),
  /** Numbers within this absolute difference are equal (for consistency and accuracy). */
  tolerance: z.number().nonnegative().default(0),
  /** At most this many conflicts and duplicate keys are listed (all are counted). */
  maxListed: z.number().int().nonnegative().default(20),
});
export type QualityOptions = z.input<typeof reportOptions>;

export interface FieldQuality {
  /** Share of records with a present value. */
  readonly completeness: number;
  /** Share of entities (with a value) whose records all agree; `null` without `key`. */
  readonly consistency: number | null;
  /** Entities with a value, and those whose records disagree. */
  readonly entities: number;
  readonly conflicting: number;
  /** Share of present values, on records whose entity is in `truth`, equal to the true value; `null` without truth. */
  readonly accuracy: number | null;
  /** How many values the accuracy is measured on. */
  readonly checked: number;
  /** Per source (with `sources`): completeness of its records. */
  readonly bySource?: Record<string, number>;
}

export interface QualityReport {
  readonly records: number;
  /** Distinct keys / records with a key (1 = no duplicates); `null` without `key`. */
  readonly uniqueness: number | null;
  /** Keys held by more than one record (all counted; the first `maxListed` listed). */
  readonly duplicatedKeys: number;
  readonly duplicateKeys: { key: string; count: number }[];
  readonly fields: Record<string, FieldQuality>;
  /** Entities whose records disagree (the first `maxListed`; `fields[f].conflicting` counts all). */
  readonly conflicts: { key: string; field: string; values: unknown[] }[];
}

/**
 * Measures a set of records: completeness per field, consistency across records of one entity
 * (by `key`), accuracy against `truth`, and uniqueness of keys. Before fusion pass all sources'
 * records (each entity appears once per source); after fusion pass the fused records.
 */
export function qualityReport(records: readonly DataRecord[], options: QualityOptions): QualityReport {
  const step = 'qualityReport';
  const o = parseOptions(step, reportOptions, options);
  if (records.length === 0) throw inputError(step, 'no records to measure');
  const keyOf = (record: DataRecord, index: number): string | undefined => {
    if (o.key === undefined) return undefined;
    const value = record[o.key];
    if (!isPresent(value))
      throw inputError(step, `record has no key "${o.key}"`, { record: index, field: o.key });
    return String(value);
  };
  const keys = records.map(keyOf);
  const truthByKey = new Map<string, DataRecord>();
  if (o.truth) {
    if (o.key === undefined) throw inputError(step, 'accuracy against `truth` needs `key`');
    o.truth.forEach((record, i) => {
      const value = record[o.key!];
      if (!isPresent(value))
        throw inputError(step, `truth record has no key "${o.key}"`, { record: i, field: o.key });
      truthByKey.set(String(value), record);
    });
  }
  const byKey = new Map<string, number[]>();
  keys.forEach((key, i) => {
    if (key === undefined) return;
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });
  const duplicates = [...byKey].filter(([, rows]) => rows.length > 1);
  const conflicts: QualityReport['conflicts'] = [];
  const fields: Record<string, FieldQuality> = {};
  for (const field of o.fields) {
    const present = records.map((r) => isPresent(r[field]));
    const completeness = present.filter(Boolean).length / records.length;
    let entities = 0;
    let conflicting = 0;
    if (o.key !== undefined) {
      for (const [key, rows] of byKey) {
        const values = rows.filter((i) => present[i]).map((i) => records[i]![field]);
        if (values.length === 0) continue;
        entities++;
        if (values.some((v) => !sameValue(v, values[0], o.tolerance))) {
          conflicting++;
          conflicts.push({ key, field, values });
        }
      }
    }
    let checked = 0;
    let correct = 0;
    if (o.truth) {
      records.forEach((record, i) => {
        const truth = truthByKey.get(keys[i]!);
        if (!truth || !present[i] || !isPresent(truth[field])) return;
        checked++;
        if (sameValue(record[field], truth[field], o.tolerance)) correct++;
      });
    }
    let bySource: Record<string, number> | undefined;
    if (o.sources !== undefined) {
      bySource = {};
      const totals = new Map<string, [number, number]>();
      records.forEach((record, i) => {
        const source = String(record[o.sources!] ?? '(none)');
        const t = totals.get(source) ?? [0, 0];
        t[0] += present[i] ? 1 : 0;
        t[1]++;
        totals.set(source, t);
      });
      for (const [source, [have, all]] of totals) bySource[source] = have / all;
    }
    fields[field] = {
      completeness,
      consistency: o.key === undefined ? null : entities === 0 ? 1 : 1 - conflicting / entities,
      entities,
      conflicting,
      accuracy: o.truth ? (checked === 0 ? null : correct / checked) : null,
      checked,
      ...(bySource ? { bySource } : {}),
    };
  }
  const keyed = keys.filter((k) => k !== undefined).length;
  return {
    records: records.length,
    uniqueness: o.key === undefined ? null : byKey.size / keyed,
    duplicatedKeys: duplicates.length,
    duplicateKeys: duplicates.slice(0, o.maxListed).map(([key, rows]) => ({ key, count: rows.length })),
    fields,
    conflicts: conflicts.slice(0, o.maxListed),
  };
}

export interface MetricDelta {
  readonly before: number | null;
  readonly after: number | null;
  /** `after − before`, `null` when either is unknown. */
  readonly delta: number | null;
}
export interface QualityComparison {
  readonly records: MetricDelta;
  readonly uniqueness: MetricDelta;
  readonly fields: Record<
    string,
    { completeness: MetricDelta; consistency: MetricDelta; accuracy: MetricDelta }
  >;
}

/** Before/after deltas of two reports, per field present in both. */
export function compareQuality(before: QualityReport, after: QualityReport): QualityComparison {
  const delta = (b: number | null, a: number | null): MetricDelta => ({
    before: b,
    after: a,
    delta: a === null || b === null ? null : a - b,
  });
  const fields: QualityComparison['fields'] = {};
  for (const field of Object.keys(before.fields)) {
    const b = before.fields[field]!;
    const a = after.fields[field];
    if (!a) continue;
    fields[field] = {
      completeness: delta(b.completeness, a.completeness),
      consistency: delta(b.consistency, a.consistency),
      accuracy: delta(b.accuracy, a.accuracy),
    };
  }
  return {
    records: delta(before.records, after.records),
    uniqueness: delta(before.uniqueness, after.uniqueness),
    fields,
  };
}
