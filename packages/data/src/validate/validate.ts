import { ErrorCode, isMissing, OmnifuseError } from '@omnifuse/core';
import type { z } from 'zod';
import { type DataRecord, fieldsOf, PLUGIN, type RecordId, recordIds, showValue } from '../clean/records.js';
import {
  checkRuleSchema,
  compareRuleSchema,
  crossSourceRuleSchema,
  fieldRuleSchema,
  type ValidationRule,
} from './rules.js';

const STEP = 'validate';

export interface Violation {
  /** Record id (the id field, else position); for cross-source rules, the key value. */
  readonly record: RecordId;
  /** Position in `records` (or in source a, for cross-source rules). */
  readonly index: number;
  readonly field?: string;
  /** `type`, `required`, `min`, … for field rules; the rule's name (or kind) otherwise. */
  readonly rule: string;
  readonly message: string;
  /** The source, for cross-source rules. */
  readonly source?: string;
}

export interface ValidationSummary {
  readonly records: number;
  readonly violations: number;
  /** Distinct records with a violation (records of other sources counted apart). */
  readonly recordsWithViolations: number;
  readonly byRule: Record<string, number>;
  readonly byField: Record<string, number>;
}

export interface ValidationResult {
  readonly valid: boolean;
  readonly violations: Violation[];
  readonly summary: ValidationSummary;
}

export interface ValidateOptions {
  /** Named record sets for cross-source rules. */
  readonly sources?: Readonly<Record<string, readonly DataRecord[]>>;
  readonly idField?: string;
}

type Parsed =
  | { kind: 'field'; rule: z.output<typeof fieldRuleSchema> }
  | { kind: 'check'; rule: z.output<typeof checkRuleSchema> }
  | { kind: 'compare'; rule: z.output<typeof compareRuleSchema> }
  | { kind: 'cross'; rule: z.output<typeof crossSourceRuleSchema> };

/**
 * Checks records against declarative field rules, cross-field rules and cross-source rules, and
 * returns every violation (never throws for bad data; bad rules are `E_OPTIONS`).
 */
export function validate(
  records: readonly DataRecord[],
  rules: readonly ValidationRule[],
  options: ValidateOptions = {},
): ValidationResult {
  const parsed = rules.map(parseRule);
  const ids = recordIds(records, options.idField);
  const known = new Set(fieldsOf(records));
  const violations: Violation[] = [];
  parsed.forEach((entry, position) => {
    if (entry.kind === 'field') {
      const { rule } = entry;
      if (records.length > 0 && !known.has(rule.field) && !rule.required) {
        throw new OmnifuseError({
          code: ErrorCode.MissingField,
          message: `no record has field "${rule.field}" (mark the rule required to report each record instead)`,
          plugin: PLUGIN,
          step: STEP,
          field: rule.field,
          path: `rules[${position}]`,
        });
      }
      violations.push(...checkField(records, ids, rule));
    } else if (entry.kind === 'check') {
      const { rule } = entry;
      records.forEach((record, index) => {
        let outcome: boolean | string;
        try {
          outcome = rule.check(record, index);
        } catch (error) {
          outcome = `check threw: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (outcome === true) return;
        const message =
          typeof outcome === 'string' && outcome !== '' ? outcome : `failed check "${rule.name}"`;
        violations.push({ record: ids[index]!, index, field: rule.field, rule: rule.name, message });
      });
    } else if (entry.kind === 'compare') {
      violations.push(...checkCompare(records, ids, entry.rule));
    } else {
      violations.push(...checkCrossSource(entry.rule, options, position));
    }
  });
  // A source that is the records themselves counts toward the same records in the summary.
  const aliases = new Set(
    Object.entries(options.sources ?? {}).flatMap(([name, source]) => (source === records ? [name] : [])),
  );
  return {
    valid: violations.length === 0,
    violations,
    summary: summarise(records.length, violations, aliases),
  };
}

function parseRule(rule: ValidationRule, position: number): Parsed {
  const candidates = [
    ['cross', crossSourceRuleSchema, 'sources'],
    ['check', checkRuleSchema, 'check'],
    ['field', fieldRuleSchema, 'field'],
    ['compare', compareRuleSchema, undefined],
  ] as const;
  const shape = typeof rule === 'object' && rule !== null ? (rule as Record<string, unknown>) : {};
  const kind = 'sources' in shape ? 0 : 'check' in shape ? 1 : 'field' in shape ? 2 : 3;
  const [name, schema] = candidates[kind]!;
  const result = schema.safeParse(rule);
  if (result.success) return { kind: name, rule: result.data } as Parsed;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(rule)'}: ${i.message}`);
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `invalid ${name} rule: ${issues.join('; ')}`,
    plugin: PLUGIN,
    step: STEP,
    path: `rules[${position}]`,
  });
}

function checkField(
  records: readonly DataRecord[],
  ids: readonly RecordId[],
  rule: z.output<typeof fieldRuleSchema>,
): Violation[] {
  const out: Violation[] = [];
  const { field } = rule;
  const flag = (index: number, name: string, message: string) =>
    out.push({ record: ids[index]!, index, field, rule: name, message });
  const pattern = typeof rule.pattern === 'string' ? new RegExp(rule.pattern) : rule.pattern;
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    const value = record[field];
    if (isMissing(value)) {
      if (rule.required) flag(index, 'required', 'value is missing');
      return;
    }
    const typeProblem = rule.type ? wrongType(rule.type, value) : undefined;
    if (typeProblem) {
      flag(index, 'type', `expected ${typeProblem}, found ${showValue(value)}`);
      return;
    }
    const asNumber = comparable(value, rule.type);
    if (rule.min !== undefined && asNumber !== undefined && asNumber < comparable(rule.min, rule.type)!)
      flag(index, 'min', `${showValue(value)} is below the minimum ${showValue(rule.min)}`);
    if (rule.max !== undefined && asNumber !== undefined && asNumber > comparable(rule.max, rule.type)!)
      flag(index, 'max', `${showValue(value)} is above the maximum ${showValue(rule.max)}`);
    if (typeof value === 'string') {
      if (rule.minLength !== undefined && value.length < rule.minLength)
        flag(index, 'minLength', `length ${value.length} is below ${rule.minLength}`);
      if (rule.maxLength !== undefined && value.length > rule.maxLength)
        flag(index, 'maxLength', `length ${value.length} is above ${rule.maxLength}`);
    }
    if (pattern) {
      pattern.lastIndex = 0;
      if (typeof value !== 'string' || !pattern.test(value))
        flag(index, 'pattern', `${showValue(value)} does not match ${pattern}`);
    }
    if (rule.oneOf && !rule.oneOf.some((allowed) => Object.is(allowed, value) || allowed === value))
      flag(index, 'oneOf', `${showValue(value)} is not one of ${rule.oneOf.map(showValue).join(', ')}`);
    if (rule.unique) {
      const key = `${typeof value}:${String(value)}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else flag(index, 'unique', `${showValue(value)} repeats the value of record ${showValue(ids[first])}`);
    }
  });
  return out;
}

function wrongType(type: string, value: unknown): string | undefined {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a finite number';
    case 'integer':
      return Number.isInteger(value) ? undefined : 'an integer';
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'a boolean';
    case 'category':
      return typeof value === 'string' ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value))
        ? undefined
        : 'a label (string, number or boolean)';
    default:
      return toTime(value) === undefined ? 'a date (Date or a string Date.parse reads)' : undefined;
  }
}

/** A number to compare: numbers as they are, dates (Date or string) as epoch milliseconds. */
function comparable(value: unknown, type?: string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (type === 'date' || value instanceof Date) return toTime(value);
  return undefined;
}

function toTime(value: unknown): number | undefined {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(time) ? time : undefined;
}

/** A number or a date (Date or date string), comparable across records. */
function orderable(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return toTime(value);
}

function checkCompare(
  records: readonly DataRecord[],
  ids: readonly RecordId[],
  rule: z.output<typeof compareRuleSchema>,
): Violation[] {
  const out: Violation[] = [];
  records.forEach((record, index) => {
    const flag = (kind: string, field: string, message: string) =>
      out.push({ record: ids[index]!, index, field, rule: rule.name ?? kind, message });
    if ('requiredWith' in rule) {
      const [a, b] = rule.requiredWith;
      if (!isMissing(record[a]) && isMissing(record[b]))
        flag('requiredWith', b, `${b} is required when ${a} is present`);
      return;
    }
    const strict = 'lessThan' in rule;
    const [a, b] = strict ? rule.lessThan : rule.lessOrEqual;
    if (isMissing(record[a]) || isMissing(record[b])) return;
    const [x, y] = [orderable(record[a]), orderable(record[b])];
    const kind = strict ? 'lessThan' : 'lessOrEqual';
    if (x === undefined || y === undefined) {
      flag(kind, x === undefined ? a : b, `${a} and ${b} must be numbers or dates to compare`);
      return;
    }
    if (strict ? !(x < y) : !(x <= y))
      flag(
        kind,
        a,
        `${a} (${showValue(record[a])}) must be ${strict ? '<' : '<='} ${b} (${showValue(record[b])})`,
      );
  });
  return out;
}

function checkCrossSource(
  rule: z.output<typeof crossSourceRuleSchema>,
  options: ValidateOptions,
  position: number,
): Violation[] {
  const [nameA, nameB] = rule.sources;
  const [fieldA, fieldB] = typeof rule.field === 'string' ? [rule.field, rule.field] : rule.field;
  const source = (name: string) => {
    const records = options.sources?.[name];
    if (records) return records;
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `cross-source rule "${rule.name}" names source "${name}", which is not in options.sources`,
      plugin: PLUGIN,
      step: STEP,
      path: `rules[${position}].sources`,
      details: { available: Object.keys(options.sources ?? {}) },
    });
  };
  const [a, b] = [source(nameA), source(nameB)];
  const out: Violation[] = [];
  const flag = (key: unknown, index: number, message: string, field = fieldA) =>
    out.push({ record: key as RecordId, index, field, rule: rule.name, message, source: nameA });
  const byKey = new Map<unknown, DataRecord>();
  b.forEach((record) => {
    const key = record[rule.key];
    if (!isMissing(key) && !byKey.has(key)) byKey.set(key, record);
  });
  a.forEach((record, index) => {
    const key = record[rule.key];
    if (isMissing(key)) {
      flag(index, index, `record has no ${rule.key} to match on`, rule.key);
      return;
    }
    const match = byKey.get(key);
    if (!match) {
      if (rule.requireMatch)
        flag(key, index, `no record in ${nameB} has ${rule.key} ${showValue(key)}`, rule.key);
      return;
    }
    const [x, y] = [record[fieldA], match[fieldB]];
    if (isMissing(x) && isMissing(y)) return;
    const agree =
      typeof x === 'number' && typeof y === 'number'
        ? Math.abs(x - y) <= rule.tolerance + rule.relativeTolerance * Math.abs(x)
        : x === y;
    if (!agree) {
      flag(
        key,
        index,
        `${nameA}.${fieldA} = ${showValue(x)} but ${nameB}.${fieldB} = ${showValue(y)}` +
          (rule.tolerance || rule.relativeTolerance ? ' (beyond tolerance)' : ''),
      );
    }
  });
  return out;
}

function summarise(
  records: number,
  violations: readonly Violation[],
  aliases: ReadonlySet<string>,
): ValidationSummary {
  const byRule: Record<string, number> = {};
  const byField: Record<string, number> = {};
  const flagged = new Set<string>();
  for (const v of violations) {
    byRule[v.rule] = (byRule[v.rule] ?? 0) + 1;
    if (v.field !== undefined) byField[v.field] = (byField[v.field] ?? 0) + 1;
    const source = v.source === undefined || aliases.has(v.source) ? '' : v.source;
    flagged.add(`${source}\u0000${v.index}`);
  }
  return { records, violations: violations.length, recordsWithViolations: flagged.size, byRule, byField };
}
