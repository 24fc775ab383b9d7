import { ErrorCode, OmnifuseError } from '../errors.js';
import { isDataUri, mediaKindOfPath, mediaKindOfType } from './media.js';
import { isMissing } from './missing.js';
import { type Dataset, FIELD_TYPES, type FieldType } from './types.js';

export type RecordIssueKind = 'missing-field' | 'missing-value' | 'non-finite' | 'wrong-type';

/** One problem with the data; `record` and `index` are absent for a field missing from every record. */
export interface RecordIssue {
  readonly kind: RecordIssueKind;
  readonly field: string;
  readonly record?: string | number;
  readonly index?: number;
  readonly expected: string;
  readonly found: string;
  readonly message: string;
}

export interface ValidateOptions {
  /** Fields that must have a value in every record (e.g. the target); by default missing values are allowed. */
  readonly required?: readonly string[];
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}`;
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number') return String(value);
  return typeof value;
}

type Check = { kind: 'non-finite' | 'wrong-type'; expected: string } | null;

function checkValue(type: FieldType, value: unknown): Check {
  const wrong = (expected: string): Check => ({ kind: 'wrong-type', expected });
  switch (type) {
    case 'number':
      if (typeof value !== 'number') return wrong('a number');
      return Number.isFinite(value) ? null : { kind: 'non-finite', expected: 'a finite number' };
    case 'category':
      if (typeof value === 'number')
        return Number.isFinite(value) ? null : { kind: 'non-finite', expected: 'a label' };
      if (typeof value === 'string' || typeof value === 'boolean') return null;
      if (Array.isArray(value) && value.every((x) => typeof x === 'string')) return null;
      return wrong('a label (string, number, boolean or array of strings)');
    case 'text':
      return typeof value === 'string' || typeof value === 'number' ? null : wrong('a string');
    case 'image':
    case 'audio': {
      if (value instanceof Uint8Array) return null;
      if (typeof value !== 'string') return wrong(`an ${type} path, data: URI or bytes`);
      const kind = isDataUri(value)
        ? mediaKindOfType(value.slice(5, Math.max(5, value.indexOf(','))).split(';')[0])
        : mediaKindOfPath(value.trim());
      return kind === undefined || kind === type ? null : wrong(`an ${type} (found ${kind})`);
    }
    case 'binary':
      return value instanceof Uint8Array || typeof value === 'string'
        ? null
        : wrong('bytes, a path or a data: URI');
    case 'vector': {
      const isVector =
        (Array.isArray(value) && value.every((x) => typeof x === 'number')) ||
        (ArrayBuffer.isView(value) && !(value instanceof DataView));
      if (!isVector) return wrong('an array of numbers');
      const items = value as ArrayLike<number>;
      for (let i = 0; i < items.length; i++) {
        if (!Number.isFinite(items[i])) return { kind: 'non-finite', expected: 'finite numbers' };
      }
      return null;
    }
  }
}

function vectorLength(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return (value as unknown as ArrayLike<number>).length;
  return undefined;
}

/**
 * Checks records against expected field types: fields absent from every record, missing values of
 * `required` fields, NaN / infinite numbers, values of the wrong type, and vectors whose length differs
 * from the field's most common length. Returns every issue, with the record id of each.
 */
export function validateRecords(
  dataset: Dataset,
  expected: Readonly<Record<string, FieldType>>,
  options: ValidateOptions = {},
): RecordIssue[] {
  const issues: RecordIssue[] = [];
  const required = new Set(options.required ?? []);
  for (const [field, type] of Object.entries(expected)) {
    if (!FIELD_TYPES.includes(type)) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: 'unknown field type',
        field,
        expected: FIELD_TYPES,
        found: type,
      });
    }
    if (!dataset.fields.includes(field)) {
      issues.push({
        kind: 'missing-field',
        field,
        expected: `a ${type} field`,
        found: 'no such field',
        message: `field "${field}" is in no record (fields: ${dataset.fields.join(', ')})`,
      });
      continue;
    }
    const lengths = new Map<number, number>();
    dataset.records.forEach((record, index) => {
      const value = record[field];
      const at = { field, record: dataset.ids[index], index };
      if (isMissing(value)) {
        if (required.has(field)) {
          issues.push({
            ...at,
            kind: 'missing-value',
            expected: `a ${type} value`,
            found: describeValue(value ?? null),
            message: `record ${JSON.stringify(at.record)} has no value for required field "${field}"`,
          });
        }
        return;
      }
      const problem = checkValue(type, value);
      if (problem) {
        issues.push({
          ...at,
          kind: problem.kind,
          expected: problem.expected,
          found: describeValue(value),
          message: `record ${JSON.stringify(at.record)} field "${field}": expected ${problem.expected}, found ${describeValue(value)}`,
        });
      } else if (type === 'vector') {
        const length = vectorLength(value)!;
        lengths.set(length, (lengths.get(length) ?? 0) + 1);
      }
    });
    if (lengths.size > 1) {
      const common = [...lengths].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
      dataset.records.forEach((record, index) => {
        const length = isMissing(record[field]) ? undefined : vectorLength(record[field]);
        if (length === undefined || length === common) return;
        const id = dataset.ids[index];
        issues.push({
          kind: 'wrong-type',
          field,
          record: id,
          index,
          expected: `a vector of length ${common}`,
          found: `length ${length}`,
          message: `record ${JSON.stringify(id)} field "${field}": vector has length ${length}, most records have ${common}`,
        });
      });
    }
  }
  return issues;
}

/** Throws an OmnifuseError naming the first issue (all of them in `details.issues`) when there is any. */
export function assertValidRecords(
  dataset: Dataset,
  expected: Readonly<Record<string, FieldType>>,
  options: ValidateOptions = {},
): void {
  const issues = validateRecords(dataset, expected, options);
  if (issues.length === 0) return;
  const first = issues[0]!;
  const missing = first.kind === 'missing-field' || first.kind === 'missing-value';
  throw new OmnifuseError({
    code: missing ? ErrorCode.MissingField : ErrorCode.InvalidInput,
    message: `${first.kind.replace('-', ' ')}${issues.length > 1 ? ` (and ${issues.length - 1} more issues in details.issues)` : ''}`,
    record: first.record,
    field: first.field,
    file: dataset.source,
    expected: first.expected,
    found: first.found,
    details: { issues: issues.slice(0, 100), total: issues.length },
  });
}
