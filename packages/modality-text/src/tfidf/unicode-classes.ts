/**
 * Python's Unicode character classes as scikit-learn's default `token_pattern` sees them.
 *
 * `(?u)\w` in Python's `re` is `str.isalnum()` or `_`: letters (Lu Ll Lt Lm Lo) and numbers
 * (Nd Nl No), i.e. exactly `[\p{L}\p{N}_]`; combining marks (Mn Mc Me) are not word characters.
 * Checked code point by code point against CPython 3.11 (Unicode 14.0): the sets agree on every
 * character assigned in Unicode 14; characters assigned later follow this runtime's ICU.
 */

const WORD = /[\p{L}\p{N}_]/u;

let bmpTable: Uint8Array | undefined;

/** 1 for each BMP code unit that is a Python word character (lone surrogates are not). */
export function wordTable(): Uint8Array {
  if (bmpTable) return bmpTable;
  const table = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c < 0xe000) continue;
    if (c < 0x80) {
      table[c] =
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f
          ? 1
          : 0;
    } else if (WORD.test(String.fromCharCode(c))) {
      table[c] = 1;
    }
  }
  bmpTable = table;
  return table;
}

/** Whether a code point above the BMP is a Python word character. */
export function isAstralWordCodePoint(codePoint: number): boolean {
  return WORD.test(String.fromCodePoint(codePoint));
}

/**
 * Python's `str.isspace()` (and `re`'s Unicode `\s`): JavaScript's `\s` differs, lacking the
 * separators U+001C–U+001F and NEL U+0085 and adding U+FEFF.
 */
export const PYTHON_SPACE_CLASS =
  '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** One or more Python whitespace characters. */
export const PYTHON_SPACES = new RegExp(`[${PYTHON_SPACE_CLASS}]+`, 'g');

/** Two or more: sklearn's `_white_spaces = re.compile(r"\s\s+")`. */
export const PYTHON_SPACE_RUNS = new RegExp(`[${PYTHON_SPACE_CLASS}]{2,}`, 'g');

/** Whether a string holds a surrogate, so that its UTF-16 length differs from Python's `len`. */
export function hasSurrogates(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xe000) return true;
  }
  return false;
}
