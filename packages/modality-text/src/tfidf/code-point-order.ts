import { hasSurrogates } from './unicode-classes.js';

/**
 * Compares strings by code point, as Python orders `str`. JavaScript's `<` compares UTF-16 code
 * units, which puts U+10000 and above (surrogates D800–DFFF) before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Moves surrogates above U+E000–U+FFFF; lead surrogates already order as their code points.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Sorts in place by code point; the plain comparison when no string holds a surrogate. */
export function sortByCodePoint(strings: string[]): string[] {
  if (strings.some(hasSurrogates)) return strings.sort(compareCodePoints);
  return strings.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
