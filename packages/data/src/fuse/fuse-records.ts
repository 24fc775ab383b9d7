import { z } from 'zod';
import { inputError, parseOptions } from '../errors.js';
import type { DataRecord } from '../match/match-records.js';
import type { Stacker } from './stacking.js';
import { isPresent, sameValue, toTime } from './values.js';

/** One candidate value for a field: what a source says, with what the rules rank it by. */
export interface Candidate {
  readonly source: string;
  readonly value: unknown;
  readonly record: DataRecord;
  readonly priority: number;
  /** Milliseconds of the source's timestamp field, when it has one. */
  readonly timestamp?: number;
}

/** A custom rule: the fused value, or `undefined` to leave the field unresolved. */
export type CustomRule = (candidates: readonly Candidate[], field: string) => unknown;
export type FusionRule =
  | 'priority'
  | 'most-recent'
  | 'majority'
  | 'unanimous'
  | 'mean'
  | 'median'
  | 'longest'
  | CustomRule;

/** Matched records of one entity: source name → that source's record (absent if it has none). */
export type RecordGroup = Readonly<Record<string, DataRecord | undefined>>;

const ruleSchema = z.union([
  z.enum(['priority', 'most-recent', 'majority', 'unanimous', 'mean', 'median', 'longest']),
  z.custom<CustomRule>((v) => typeof v === 'function'),
]);
const fuseOptions = z.strictObject({
  /** Higher `priority` wins ties and the `priority` rule; `timestampField` feeds `most-recent`. */
  sources: z.record(
    z.string(),
    z.strictObject({ priority: z.number(), timestampField: z.string().optional() }),
  ),
  defaultRule: ruleSchema.default('priority'),
  fields: z.record(z.string(), ruleSchema).default({}),
  /** Fields to output; defaults to every field any record of the group has. */
  outputFields: z.array(z.string()).optional(),
  /** Numbers this close are the same value (no conflict, one vote). */
  tolerance: z.number().nonnegative().default(0),
  /** Fields the rules leave unresolved are predicted by these stackers from the sources' values. */
  models: z
    .record(
      z.string(),
      z.custom<Stacker>((v) => typeof v === 'object' && v !== null),
    )
    .default({}),
});
export type FuseOptions = z.input<typeof fuseOptions>;

export interface Provenance {
  /** Sources whose value is the fused one (several when they agree); `model` / `custom` otherwise. */
  readonly sources: string[];
  readonly rule: string;
}
export interface Conflict {
  readonly group: number;
  readonly field: string;
  readonly values: { source: string; value: unknown }[];
  readonly chosen: unknown;
  readonly rule: string;
}
export interface FuseResult {
  readonly records: Record<string, unknown>[];
  /** Per output record: field → where its value came from (absent when no source had one). */
  readonly provenance: Record<string, Provenance>[];
  /** Fields where present values disagreed, with what was chosen. */
  readonly conflicts: Conflict[];
  /** Fields no rule nor model could decide; they are left `null` in the output. */
  readonly unresolved: { group: number; field: string; reason: string }[];
}

/**
 * Fuses groups of matched records into one record per group, field by field: the field's rule
 * (or `defaultRule`) picks a value among the sources' present values and records its provenance.
 * Combined mode: a rule may leave a field unresolved (`unanimous` when sources disagree, a custom
 * rule returning `undefined`); if `models[field]` is a fitted stacker, it predicts the value from
 * the sources' values of that field (its provenance is `model`), otherwise the field stays `null`
 * and is listed in `unresolved`.
 */
export function fuseRecords(groups: readonly RecordGroup[], options: FuseOptions): FuseResult {
  const step = 'fuseRecords';
  const o = parseOptions(step, fuseOptions, options);
  const sourceNames = Object.keys(o.sources);
  if (sourceNames.length === 0) throw inputError(step, 'no sources configured');
  const records: Record<string, unknown>[] = [];
  const provenance: Record<string, Provenance>[] = [];
  const conflicts: Conflict[] = [];
  const unresolved: FuseResult['unresolved'] = [];
  groups.forEach((group, g) => {
    for (const source of Object.keys(group)) {
      if (!(source in o.sources)) {
        throw inputError(step, `unknown source "${source}"`, {
          record: g,
          expected: sourceNames,
          found: source,
        });
      }
    }
    const fields = o.outputFields ?? [
      ...new Set(Object.values(group).flatMap((r) => (r ? Object.keys(r) : []))),
    ];
    const out: Record<string, unknown> = {};
    const prov: Record<string, Provenance> = {};
    for (const field of fields) {
      const candidates: Candidate[] = [];
      for (const source of sourceNames) {
        const record = group[source];
        if (!record || !isPresent(record[field])) continue;
        const { priority, timestampField } = o.sources[source]!;
        const timestamp = timestampField === undefined ? undefined : toTime(record[timestampField]);
        candidates.push({ source, value: record[field], record, priority, timestamp });
      }
      // highest priority first; ties keep the configured source order
      candidates.sort((a, b) => b.priority - a.priority);
      if (candidates.length === 0) {
        out[field] = null;
        continue;
      }
      const rule = o.fields[field] ?? o.defaultRule;
      const ruleName = typeof rule === 'function' ? 'custom' : rule;
      let value = applyRule(rule, candidates, field, o.tolerance, g);
      let sources: string[];
      let how = ruleName;
      if (value === undefined) {
        const model = o.models[field];
        if (model) {
          value = predictFromGroup(model, group, field, g);
          sources = ['model'];
          how = `${ruleName}→model`;
        } else {
          unresolved.push({
            group: g,
            field,
            reason: `rule "${ruleName}" could not decide and no model is given`,
          });
          out[field] = null;
          sources = [];
        }
      } else {
        sources = candidates.filter((c) => sameValue(c.value, value, o.tolerance)).map((c) => c.source);
        if (sources.length === 0)
          sources = [ruleName === 'mean' || ruleName === 'median' ? ruleName : 'custom'];
      }
      if (value !== undefined) out[field] = value;
      if (sources.length > 0) prov[field] = { sources, rule: how };
      const distinct = candidates.filter(
        (c, i) => candidates.findIndex((d) => sameValue(c.value, d.value, o.tolerance)) === i,
      );
      if (distinct.length > 1) {
        conflicts.push({
          group: g,
          field,
          values: candidates.map((c) => ({ source: c.source, value: c.value })),
          chosen: value === undefined ? null : value,
          rule: how,
        });
      }
    }
    records.push(out);
    provenance.push(prov);
  });
  return { records, provenance, conflicts, unresolved };
}

function applyRule(
  rule: FusionRule,
  candidates: readonly Candidate[],
  field: string,
  tolerance: number,
  group: number,
): unknown {
  if (typeof rule === 'function') return rule(candidates, field);
  switch (rule) {
    case 'priority':
      return candidates[0]!.value;
    case 'most-recent': {
      // candidates without a timestamp rank below any with one; equal times fall back to priority
      let best = candidates[0]!;
      for (const c of candidates) {
        if (c.timestamp !== undefined && (best.timestamp === undefined || c.timestamp > best.timestamp))
          best = c;
      }
      return best.value;
    }
    case 'majority':
    case 'unanimous': {
      const votes: { value: unknown; count: number }[] = [];
      for (const c of candidates) {
        const vote = votes.find((v) => sameValue(v.value, c.value, tolerance));
        if (vote) vote.count++;
        else votes.push({ value: c.value, count: 1 });
      }
      if (rule === 'unanimous') return votes.length === 1 ? votes[0]!.value : undefined;
      // the first vote with the most count comes from the highest-priority source among the tied
      let best = votes[0]!;
      for (const vote of votes) if (vote.count > best.count) best = vote;
      return best.value;
    }
    case 'mean':
    case 'median': {
      const numbers = candidates.map((c) => {
        if (typeof c.value !== 'number') {
          throw inputError(
            'fuseRecords',
            `rule "${rule}" needs numbers; source "${c.source}" has ${JSON.stringify(c.value)}`,
            {
              record: group,
              field,
            },
          );
        }
        return c.value;
      });
      if (rule === 'mean') return numbers.reduce((a, b) => a + b, 0) / numbers.length;
      const sorted = [...numbers].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    }
    default: {
      let best = candidates[0]!;
      for (const c of candidates) if (String(c.value).length > String(best.value).length) best = c;
      return best.value;
    }
  }
}

function predictFromGroup(model: Stacker, group: RecordGroup, field: string, g: number): unknown {
  const inputs: Record<string, unknown> = {};
  for (const source of model.sources) {
    const record = group[source];
    inputs[source] = record && isPresent(record[field]) ? record[field] : undefined;
  }
  try {
    return model.predictOne(inputs);
  } catch (error) {
    throw inputError('fuseRecords', `model for "${field}" failed: ${(error as Error).message}`, {
      record: g,
      field,
    });
  }
}

/**
 * Groups from a match of two sources: matched pairs, then every other record alone (unmatched and
 * ambiguous ones too, so fusion loses no record).
 */
export function groupsFromMatches(
  match: {
    matches: readonly { left: DataRecord; right: DataRecord }[];
    unmatchedLeft: readonly DataRecord[];
    unmatchedRight: readonly DataRecord[];
    ambiguous?: readonly { left: DataRecord }[];
    ambiguousRight?: readonly { right: DataRecord }[];
  },
  leftSource: string,
  rightSource: string,
): RecordGroup[] {
  return [
    ...match.matches.map((m) => ({ [leftSource]: m.left, [rightSource]: m.right })),
    ...match.unmatchedLeft.map((r) => ({ [leftSource]: r })),
    ...(match.ambiguous ?? []).map((a) => ({ [leftSource]: a.left })),
    ...match.unmatchedRight.map((r) => ({ [rightSource]: r })),
    ...(match.ambiguousRight ?? []).map((a) => ({ [rightSource]: a.right })),
  ];
}
