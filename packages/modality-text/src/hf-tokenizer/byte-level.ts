/**
 * GPT-2's byte-to-unicode table: every byte maps to a printable character (printable Latin-1 bytes to
 * themselves, the rest to U+0100 upwards), so byte-level BPE vocabularies are plain strings.
 */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const bytes: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bytes.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bytes.push(b);
  for (let b = 0xae; b <= 0xff; b++) bytes.push(b);
  const table: string[] = new Array(256);
  for (const b of bytes) table[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
  }
  return table;
})();

const encoder = new TextEncoder();

/** The text's UTF-8 bytes, each as its GPT-2 character. */
export function toByteLevel(text: string): string {
  let out = '';
  for (const byte of encoder.encode(text)) out += BYTE_TO_CHAR[byte];
  return out;
}

/**
 * GPT-2's pre-tokenization regex, with Oniguruma's Unicode `\s` spelled out (JS `\s` differs):
 * contractions, optional-space letter runs, number runs, other symbols, then whitespace.
 */
export const GPT2_SPLIT_REGEX =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;
