import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type { PartialEncoding } from './encoding.js';
import { fieldReader, isObject, malformed, type TokenizerSource, unsupported } from './errors.js';

export type Direction = 'Left' | 'Right';
export type TruncationStrategy = 'LongestFirst' | 'OnlyFirst' | 'OnlySecond';

export interface TruncationDefaults {
  readonly maxLength: number;
  readonly strategy: TruncationStrategy;
  readonly direction: Direction;
}

export interface PaddingDefaults {
  /** A fixed length, or null for `BatchLongest` (a single encoding is its own longest). */
  readonly length: number | null;
  readonly multipleOf: number | null;
  readonly direction: Direction;
  readonly padId: number | null;
  readonly padTypeId: number;
  readonly padToken: string | null;
}

/** The `truncation` section (null when absent). `stride` only shapes overflow windows, not returned. */
export function readTruncation(json: unknown, source: TokenizerSource): TruncationDefaults | null {
  if (json === null || json === undefined) return null;
  if (!isObject(json))
    return malformed(source, 'truncation', 'truncation is an object', '{ max_length, … }', json);
  const read = fieldReader(source, json, 'truncation');
  const strategy = read.string('strategy', 'LongestFirst');
  if (!['LongestFirst', 'OnlyFirst', 'OnlySecond'].includes(strategy))
    unsupported(source, 'truncation.strategy', `the truncation strategy "${strategy}"`, strategy);
  return {
    maxLength: read.int('max_length'),
    strategy: strategy as TruncationStrategy,
    direction: readDirection(read.string('direction', 'Right'), source, 'truncation.direction'),
  };
}

/** The `padding` section (null when absent). */
export function readPadding(json: unknown, source: TokenizerSource): PaddingDefaults | null {
  if (json === null || json === undefined) return null;
  if (!isObject(json)) return malformed(source, 'padding', 'padding is an object', '{ strategy, … }', json);
  const read = fieldReader(source, json, 'padding');
  const strategy = json.strategy;
  let length: number | null = null;
  if (isObject(strategy) && typeof strategy.Fixed === 'number') length = strategy.Fixed;
  else if (strategy !== 'BatchLongest' && strategy !== undefined)
    unsupported(source, 'padding.strategy', 'this padding strategy', strategy);
  const multiple = json.pad_to_multiple_of;
  return {
    length,
    multipleOf: typeof multiple === 'number' && multiple > 0 ? multiple : null,
    direction: readDirection(read.string('direction', 'Right'), source, 'padding.direction'),
    padId: json.pad_id === undefined ? null : read.int('pad_id'),
    padTypeId: read.int('pad_type_id', 0),
    padToken: read.optionalString('pad_token'),
  };
}

function readDirection(value: string, source: TokenizerSource, path: string): Direction {
  if (value === 'Left' || value === 'Right') return value;
  return unsupported(source, path, `the direction "${value}"`, value);
}

const cut = (encoding: PartialEncoding, length: number, direction: Direction): PartialEncoding => {
  if (encoding.ids.length <= length) return encoding;
  const slice = <T>(values: T[]) =>
    direction === 'Right' ? values.slice(0, length) : values.slice(values.length - length);
  return { ids: slice(encoding.ids), tokens: slice(encoding.tokens), typeIds: slice(encoding.typeIds) };
};

/** The Rust `truncate_encodings`: `maxLength` is what is left once special tokens are counted. */
export function truncateEncodings(
  a: PartialEncoding,
  b: PartialEncoding | null,
  maxLength: number,
  strategy: TruncationStrategy,
  direction: Direction,
): [PartialEncoding, PartialEncoding | null] {
  const total = a.ids.length + (b?.ids.length ?? 0);
  if (total <= maxLength) return [a, b];
  const toRemove = total - maxLength;
  if (strategy === 'LongestFirst') {
    if (!b) return [cut(a, maxLength, direction), null];
    // The shorter keeps its length if the longer can take the rest; else both get about half.
    let n1 = Math.min(a.ids.length, b.ids.length);
    let n2 = n1 > maxLength ? n1 : Math.max(n1, maxLength - n1);
    if (n1 + n2 > maxLength) {
      n1 = Math.floor(maxLength / 2);
      n2 = n1 + (maxLength % 2);
    }
    const [la, lb] = a.ids.length > b.ids.length ? [n2, n1] : [n1, n2];
    return [cut(a, la, direction), cut(b, lb, direction)];
  }
  const target = strategy === 'OnlyFirst' ? a : b;
  if (!target || target.ids.length <= toRemove) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: target
        ? `${strategy} truncation cannot remove ${toRemove} tokens from a sequence of ${target.ids.length}`
        : 'OnlySecond truncation needs a pair',
      expected: `at most ${maxLength} tokens besides the special tokens`,
      found: total,
    });
  }
  const kept = cut(target, target.ids.length - toRemove, direction);
  return strategy === 'OnlyFirst' ? [kept, b] : [a, kept];
}

/** Pads to `length` (a no-op when already as long); padded positions have attention mask 0. */
export function padEncoding(
  encoding: PartialEncoding,
  length: number,
  pad: { id: number; token: string; typeId: number; direction: Direction },
): PartialEncoding & { attentionMask: number[] } {
  const missing = Math.max(0, length - encoding.ids.length);
  const fill = <T>(values: T[], value: T) => {
    const padding = new Array<T>(missing).fill(value);
    return pad.direction === 'Right' ? [...values, ...padding] : [...padding, ...values];
  };
  return {
    ids: fill(encoding.ids, pad.id),
    tokens: fill(encoding.tokens, pad.token),
    typeIds: fill(encoding.typeIds, pad.typeId),
    attentionMask: fill(
      encoding.ids.map(() => 1),
      0,
    ),
  };
}
