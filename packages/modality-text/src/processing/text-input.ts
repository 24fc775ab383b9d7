import { type TextSource, textInputError } from './text-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A raw value as a well-formed JS string, or an `E_INPUT` OmnifuseError naming `where`:
 * - a string: lone surrogates become U+FFFD (`String#toWellFormed`), so every later step sees
 *   valid Unicode;
 * - a Uint8Array (a Node Buffer too): decoded as UTF-8, a leading BOM dropped; invalid UTF-8 is
 *   `details.problem: 'invalid-utf8'` with `details.offset`, the first bad byte;
 * - anything else (undefined, null, NaN, a number, an object, another typed array): `not-text`,
 *   expected `string`, found the value's type.
 */
export function rawText(raw: unknown, where?: TextSource): string {
  if (typeof raw === 'string') return toWellFormed(raw);
  if (raw instanceof Uint8Array) return decodeUtf8(raw, where);
  throw textInputError('not-text', 'text input must be a string or UTF-8 bytes', where, {
    expected: 'string',
    found: describeType(raw),
  });
}

/**
 * `text` cut to at most `maxChars` code points (a surrogate pair counts once and is never split;
 * a combining mark may be cut from its base), or, with `overLength: 'error'`, an `E_INPUT`
 * OmnifuseError `too-long` whose `found` is the length in code points.
 */
export function limitLength(
  text: string,
  maxChars: number,
  overLength: 'truncate' | 'error',
  where?: TextSource,
): string {
  // UTF-16 length bounds the code point count from above: most texts need no counting.
  if (text.length <= maxChars) return text;
  let points = 0;
  let end = 0;
  while (end < text.length && points < maxChars) {
    end += isHighSurrogateAt(text, end) ? 2 : 1;
    points += 1;
  }
  if (end >= text.length) return text;
  if (overLength === 'truncate') return text.slice(0, end);
  throw textInputError('too-long', `text longer than maxChars (${maxChars} code points)`, where, {
    expected: `at most ${maxChars} code points`,
    found: countCodePoints(text),
    details: { maxChars, overLength },
  });
}

function isHighSurrogateAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code < 0xd800 || code > 0xdbff) return false;
  const next = text.charCodeAt(index + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}

function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += isHighSurrogateAt(text, i) ? 2 : 1) count += 1;
  return count;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function toWellFormed(text: string): string {
  // Node 20 has String#toWellFormed; the regex is the same rule for older runtimes.
  const native = (text as { toWellFormed?: () => string }).toWellFormed;
  return native ? native.call(text) : text.replace(LONE_SURROGATE, '\uFFFD');
}

function decodeUtf8(bytes: Uint8Array, where: TextSource | undefined): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    const offset = firstInvalidUtf8(bytes);
    throw textInputError('invalid-utf8', `text bytes are not valid UTF-8 (byte ${offset})`, where, {
      expected: 'UTF-8 bytes',
      found: `invalid byte sequence at offset ${offset}`,
      details: { offset },
      cause,
    });
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (WHATWG rules), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (value instanceof ArrayBuffer) return 'ArrayBuffer';
  return typeof value;
}
