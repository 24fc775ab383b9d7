import { hashValue, sha256 } from '../hash.js';
import { isDataUri, mediaKindOfPath, mediaKindOfType, sniffMediaType } from './media.js';
import { isMissing } from './missing.js';
import type { DataRecord, FieldSummary, FieldType } from './types.js';

/** What one present value looks like, before a field's type is decided from all of them. */
export type ValueKind =
  | 'number'
  | 'boolean'
  | 'string'
  | 'image'
  | 'audio'
  | 'binary'
  | 'vector'
  | 'list'
  | 'other';

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^([+-]?inf(inity)?|nan)$/i;

/** True for strings that spell a number, including `NaN` and `inf`, so validation can flag those. */
export function isNumericString(value: string): boolean {
  const text = value.trim();
  return NUMERIC.test(text) || NON_FINITE.test(text);
}

/** The number a numeric string spells (`nan` → NaN, `-inf` → -Infinity). */
export function parseNumericString(value: string): number {
  const text = value.trim().toLowerCase();
  if (text === 'nan') return Number.NaN;
  if (NON_FINITE.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

function isNumericTypedArray(value: unknown): value is ArrayLike<number> {
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  );
}

/** A JSON array of numbers written as a string (how CSV cells carry vectors), else undefined. */
function parseVectorString(value: string): number[] | undefined {
  const text = value.trim();
  if (!text.startsWith('[') || !text.endsWith(']')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((x) => typeof x === 'number')
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

/** Classifies one present value. */
export function classifyValue(value: unknown): ValueKind {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof Uint8Array) {
    return mediaKindOfType(sniffMediaType(value)) ?? 'binary';
  }
  if (isNumericTypedArray(value)) return 'vector';
  const decoded = decodedMediaKind(value);
  if (decoded) return decoded;
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((x) => typeof x === 'number')) return 'vector';
    if (value.every((x) => typeof x === 'string')) return 'list';
    return 'other';
  }
  if (typeof value === 'string') {
    if (isDataUri(value)) {
      const header = value.slice(5, Math.max(5, value.indexOf(',')));
      return mediaKindOfType(header.split(';')[0]) ?? 'binary';
    }
    if (isNumericString(value)) return 'number';
    if (parseVectorString(value)) return 'vector';
    return mediaKindOfPath(value.trim()) ?? 'string';
  }
  return 'other';
}

/**
 * Already-decoded media given in code: images as `{ width, height, channels, data }` and audio as
 * `{ sampleRate, samples }` (typed arrays), so they type as image/audio rather than unknown objects.
 */
function decodedMediaKind(value: unknown): 'image' | 'audio' | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (
    typeof v.width === 'number' &&
    typeof v.height === 'number' &&
    typeof v.channels === 'number' &&
    ArrayBuffer.isView(v.data)
  ) {
    return 'image';
  }
  if (typeof v.sampleRate === 'number' && (ArrayBuffer.isView(v.samples) || Array.isArray(v.samples))) {
    return 'audio';
  }
  return undefined;
}

function distinctKey(value: unknown, kind: ValueKind): string {
  if (kind === 'number') return `n:${typeof value === 'string' ? parseNumericString(value) : value}`;
  if (typeof value === 'string') return `s:${value}`;
  if (ArrayBuffer.isView(value)) {
    return `b:${sha256(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))}`;
  }
  // Objects can hold large typed arrays: hash their stable serialisation instead of keeping it.
  return typeof value === 'object' && value !== null ? `h:${hashValue(value)}` : `j:${JSON.stringify(value)}`;
}

export const TEXT_MIN_MEAN_TOKENS = 3;
export const CATEGORY_MAX_DISTINCT = 20;

/**
 * Category or text, for a field of strings: text when values are prose (more than
 * {@link TEXT_MIN_MEAN_TOKENS} whitespace-separated tokens on average), or when they are short but
 * nearly all different (more than {@link CATEGORY_MAX_DISTINCT} distinct values making up more than
 * half the values: names, ids, free words). Otherwise category: few distinct, short values.
 */
export function categoryOrText(values: readonly string[], distinct: number): 'category' | 'text' {
  let tokens = 0;
  for (const value of values) tokens += countTokens(value);
  return categoryOrTextOf(tokens, values.length, distinct);
}

/** {@link categoryOrText} from the counts alone (a manifest read once, without keeping its values). */
function categoryOrTextOf(tokens: number, values: number, distinct: number): 'category' | 'text' {
  if (values === 0) return 'text';
  if (tokens / values > TEXT_MIN_MEAN_TOKENS) return 'text';
  if (distinct > CATEGORY_MAX_DISTINCT && distinct > 0.5 * values) return 'text';
  return 'category';
}

/** Whitespace-separated tokens in a string, counted without splitting it (large manifests). */
function countTokens(value: string): number {
  let tokens = 0;
  let inToken = false;
  for (let i = 0; i < value.length; i++) {
    const space = /\s/.test(value[i]!);
    if (!space && !inToken) tokens++;
    inToken = !space;
  }
  return tokens;
}

/** Field names of the records, in order of first appearance. */
export function fieldNames(records: readonly DataRecord[]): string[] {
  const seen = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) seen.add(key);
  return [...seen];
}

/**
 * Infers each field's type from its present values (missing ones are counted, not typed):
 * - all numbers or numeric strings (`3`, `-1.5e3`, `NaN`, `inf`) → `number`;
 * - all arrays of numbers, numeric typed arrays, or strings holding a JSON array of numbers → `vector`;
 * - paths ending in an image / audio extension, `data:image/…` / `data:audio/…` URIs, or bytes whose
 *   magic number says image / audio → `image` / `audio`; other bytes or data URIs → `binary`;
 * - booleans and arrays of strings (label sets) → `category`;
 * - strings (numbers mixed among strings count as strings) → `category` or `text` by
 *   {@link categoryOrText}.
 * A field whose values disagree gets its most common kind; `validateRecords` then reports the rest.
 */
export function inferSchema(records: readonly DataRecord[]): Record<string, FieldSummary> {
  const schema = createSchemaAccumulator();
  for (const record of records) schema.add(record);
  return schema.finish().schema;
}

/**
 * {@link inferSchema} one record at a time, so a manifest too large to hold can be typed in one pass
 * over its file: per field it keeps the kind votes, the distinct values and a token count, not the
 * values themselves.
 */
export interface SchemaAccumulator {
  add(record: DataRecord): void;
  /** Each field's summary, and the field names in order of first appearance; the tallies are freed. */
  finish(): { schema: Record<string, FieldSummary>; fields: string[] };
}

interface FieldTally {
  readonly votes: Map<ValueKind, number>;
  // Strings are their own keys (no prefixed copy of every value); other kinds get distinctKey's.
  readonly distinctStrings: Set<string>;
  readonly distinct: Set<string>;
  present: number;
  /** Values that read as words (strings, numbers, booleans, string lists) and their tokens. */
  texts: number;
  tokens: number;
}

export function createSchemaAccumulator(): SchemaAccumulator {
  const tallies = new Map<string, FieldTally>();
  let records = 0;
  return {
    add(record) {
      records++;
      for (const field of Object.keys(record)) {
        let tally = tallies.get(field);
        if (tally === undefined) {
          tally = {
            votes: new Map(),
            distinctStrings: new Set(),
            distinct: new Set(),
            present: 0,
            texts: 0,
            tokens: 0,
          };
          tallies.set(field, tally);
        }
        const value = record[field];
        if (isMissing(value)) continue;
        tally.present++;
        const kind = classifyValue(value);
        tally.votes.set(kind, (tally.votes.get(kind) ?? 0) + 1);
        if (typeof value === 'string' && kind !== 'number') tally.distinctStrings.add(value);
        else tally.distinct.add(distinctKey(value, kind));
        if (typeof value === 'string') {
          tally.texts++;
          tally.tokens += countTokens(value);
        } else if (typeof value === 'number' || typeof value === 'boolean') {
          tally.texts++;
          tally.tokens += countTokens(String(value));
        } else if (Array.isArray(value)) {
          tally.texts++;
          tally.tokens += countTokens(value.join(' '));
        }
      }
    },
    finish() {
      const schema: Record<string, FieldSummary> = {};
      for (const [field, tally] of tallies) {
        const distinct = tally.distinctStrings.size + tally.distinct.size;
        schema[field] = {
          type: decideType(tally.votes, tally.tokens, tally.texts, distinct),
          present: tally.present,
          missing: records - tally.present,
          distinct,
        };
      }
      const fields = [...tallies.keys()];
      tallies.clear();
      return { schema, fields };
    },
  };
}

function decideType(
  votes: Map<ValueKind, number>,
  tokens: number,
  texts: number,
  distinct: number,
): FieldType {
  if (votes.size === 0) return 'text';
  const strings = votes.get('string') ?? 0;
  if (strings > 0) {
    // Numbers, booleans and label lists among strings are labels or words, not a separate type.
    for (const kind of ['number', 'boolean', 'list', 'other'] as const) {
      votes.set('string', (votes.get('string') ?? 0) + (votes.get(kind) ?? 0));
      votes.delete(kind);
    }
  }
  let best: ValueKind = 'other';
  let bestCount = -1;
  for (const [kind, count] of votes) {
    if (count > bestCount) [best, bestCount] = [kind, count];
  }
  switch (best) {
    case 'number':
    case 'vector':
    case 'image':
    case 'audio':
    case 'binary':
      return best;
    case 'boolean':
    case 'list':
      return 'category';
    default:
      return categoryOrTextOf(tokens, texts, distinct);
  }
}

/**
 * Converts values to the form their field type promises: numeric strings in `number` fields become
 * numbers (blank ones `null`); JSON-array strings in `vector` fields become number arrays. Other
 * values, and the fields in `keep`, are left alone. Returns new record objects only where changed.
 */
export function coerceRecords(
  records: readonly DataRecord[],
  fieldTypes: Readonly<Record<string, FieldType>>,
  keep: readonly string[] = [],
): DataRecord[] {
  const coerce = recordCoercion(fieldTypes, keep);
  return coerce === undefined ? records.slice() : records.map(coerce);
}

/**
 * {@link coerceRecords} for one record at a time (records read from a manifest on demand), or
 * undefined when no field needs converting.
 */
export function recordCoercion(
  fieldTypes: Readonly<Record<string, FieldType>>,
  keep: readonly string[] = [],
): ((record: DataRecord) => DataRecord) | undefined {
  const fields = Object.entries(fieldTypes).filter(
    ([field, type]) => !keep.includes(field) && (type === 'number' || type === 'vector'),
  );
  if (fields.length === 0) return undefined;
  return (record) => {
    let out: Record<string, unknown> | undefined;
    for (const [field, type] of fields) {
      const value = record[field];
      if (typeof value !== 'string') continue;
      let next: unknown = value;
      if (value.trim() === '') next = null;
      else if (type === 'number' && isNumericString(value)) next = parseNumericString(value);
      else if (type === 'vector') next = parseVectorString(value) ?? value;
      if (next !== value) {
        out ??= { ...record };
        out[field] = next;
      }
    }
    return out ?? record;
  };
}
