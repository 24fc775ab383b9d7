import type { ValueFinding } from '../spec/index.js';

/**
 * Longest text, in UTF-16 code units, that reaches an encoder; longer text is truncated (and
 * `checkDataset` warns `text-truncated`). 100,000 characters is far past any encoder's sequence
 * length, and keeps one record from costing more than the rest of a batch.
 */
export const MAX_TEXT_LENGTH = 100_000;

// C0 controls other than tab, line feed and carriage return; DEL; C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const HAS_CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text an encoder receives for a present text value (the documented text policy): a number
 * becomes its decimal string, lone surrogates become U+FFFD, control characters other than tab and
 * line breaks become spaces, and text longer than {@link MAX_TEXT_LENGTH} is cut there (never
 * inside a surrogate pair). Other values are returned unchanged for the encoder to refuse.
 */
export function sanitizeText(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return value;
  let text = value;
  if (text.length > MAX_TEXT_LENGTH) {
    const end = /[\uD800-\uDBFF]/.test(text[MAX_TEXT_LENGTH - 1]!) ? MAX_TEXT_LENGTH - 1 : MAX_TEXT_LENGTH;
    text = text.slice(0, end);
  }
  if (LONE_SURROGATE.test(text)) text = text.replace(LONE_SURROGATES, '\uFFFD');
  if (HAS_CONTROL_CHARACTER.test(text)) text = text.replace(CONTROL_CHARACTERS, ' ');
  return text;
}

/** The warnings {@link sanitizeText} would apply to a present text value; errors for non-text values. */
export function textFindings(value: unknown): ValueFinding[] {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? [
          {
            severity: 'warning',
            code: 'text-is-number',
            reason: 'the text is a number; it is used as its decimal string',
          },
        ]
      : [{ severity: 'error', code: 'non-finite', reason: `the text is the number ${value}` }];
  }
  if (typeof value !== 'string') {
    return [{ severity: 'error', code: 'wrong-type', reason: `expected text, found ${describeType(value)}` }];
  }
  const findings: ValueFinding[] = [];
  if (value.length > MAX_TEXT_LENGTH) {
    findings.push({
      severity: 'warning',
      code: 'text-truncated',
      reason: `the text has ${value.length} characters; it is cut to the first ${MAX_TEXT_LENGTH}`,
    });
  }
  if (LONE_SURROGATE.test(value)) {
    findings.push({
      severity: 'warning',
      code: 'text-malformed',
      reason: 'the text has lone UTF-16 surrogates; they are replaced by U+FFFD',
    });
  }
  if (HAS_CONTROL_CHARACTER.test(value)) {
    findings.push({
      severity: 'warning',
      code: 'text-control-characters',
      reason: 'the text has control characters; they are replaced by spaces',
    });
  }
  return findings;
}

/** A value's kind in a few words, for reasons; never the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
