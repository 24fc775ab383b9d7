/**
 * Character classes as the Rust `tokenizers` library defines them (Rust's `char` methods and the
 * `unicode_categories` crate), written as Unicode property escapes: JavaScript's own `\s`, `\w` and
 * `toLowerCase` differ from them in small ways that would change ids.
 */

/** Rust `char::is_whitespace`: the Unicode White_Space property (JS `\s` adds U+FEFF, lacks U+0085). */
export const isWhitespace = (c: string): boolean => /^\p{White_Space}$/u.test(c);

/** `char::is_numeric`: Nd, Nl or No. */
export const isNumeric = (c: string): boolean => /^\p{N}$/u.test(c);

/** BERT's punctuation: ASCII punctuation (which includes symbols such as `$` and `^`) or Unicode P*. */
export const isBertPunctuation = (c: string): boolean => /^[!-/:-@[-`{-~]$/u.test(c) || /^\p{P}$/u.test(c);

/** BertNormalizer's control characters: category C*, except tab, newline and carriage return. */
export const isControl = (c: string): boolean => c !== '\t' && c !== '\n' && c !== '\r' && /^\p{C}$/u.test(c);

/** The CJK ideograph blocks BertNormalizer isolates (the Rust library's ranges). */
export function isChineseChar(c: string): boolean {
  const code = c.codePointAt(0)!;
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x20000 && code <= 0x2a6df) ||
    (code >= 0x2a700 && code <= 0x2b73f) ||
    (code >= 0x2b740 && code <= 0x2b81f) ||
    (code >= 0x2b920 && code <= 0x2ceaf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x2f800 && code <= 0x2fa1f)
  );
}

/**
 * Lowercases code point by code point, like Rust's `char::to_lowercase` (JS `toLowerCase` on a whole
 * string turns a word-final Σ into ς; Rust never does).
 */
export function lowercase(text: string): string {
  let out = '';
  for (const c of text) out += c.toLowerCase();
  return out;
}

/** Removes nonspacing marks (Mn), as StripAccents does after NFD. */
export const stripNonspacingMarks = (text: string): string => text.replace(/\p{Mn}/gu, '');

/** Rust `regex` crate `\w` (Whitespace pre-tokenizer, added tokens' single_word). */
export const RUST_WORD_CLASS = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
