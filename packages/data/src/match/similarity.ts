import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { parseOptions } from '../errors.js';

const jaroWinklerOptions = z.strictObject({
  /** Winkler's `p`: weight of each common prefix character; at most 0.25 keeps scores ≤ 1. */
  prefixScale: z.number().min(0).max(0.25).default(0.1),
  /** Longest prefix that earns the bonus (Winkler: 4). */
  maxPrefix: z.number().int().nonnegative().default(4),
  /** The prefix bonus applies only when the Jaro score exceeds this (Winkler: 0.7). */
  boostThreshold: z.number().min(0).max(1).default(0.7),
});
export type JaroWinklerOptions = z.input<typeof jaroWinklerOptions>;

/** Jaro similarity in [0, 1], over Unicode code points (1 for two empty strings). */
export function jaro(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0 && t.length === 0) return 1;
  if (s.length === 0 || t.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(s.length, t.length) / 2) - 1);
  const sMatched = new Array<boolean>(s.length).fill(false);
  const tMatched = new Array<boolean>(t.length).fill(false);
  let matches = 0;
  for (let i = 0; i < s.length; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(t.length - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (tMatched[j] || s[i] !== t[j]) continue;
      sMatched[i] = true;
      tMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    if (!sMatched[i]) continue;
    while (!tMatched[k]) k++;
    if (s[i] !== t[k]) halfTranspositions++;
    k++;
  }
  const transpositions = Math.floor(halfTranspositions / 2);
  return (matches / s.length + matches / t.length + (matches - transpositions) / matches) / 3;
}

/**
 * Jaro–Winkler similarity in [0, 1]: Jaro plus a bonus for a common prefix (Winkler 1990).
 * Case-sensitive: normalise first (`normalizeKey`) to compare names.
 */
export function jaroWinkler(a: string, b: string, options: JaroWinklerOptions = {}): number {
  const { prefixScale, maxPrefix, boostThreshold } = parseOptions('jaroWinkler', jaroWinklerOptions, options);
  const score = jaro(a, b);
  if (score <= boostThreshold) return score;
  const s = Array.from(a);
  const t = Array.from(b);
  let prefix = 0;
  const limit = Math.min(maxPrefix, s.length, t.length);
  while (prefix < limit && s[prefix] === t[prefix]) prefix++;
  return score + prefix * prefixScale * (1 - score);
}

/** Edit distance (insertions, deletions, substitutions of UTF-16 code units), by fastest-levenshtein. */
export function levenshtein(a: string, b: string): number {
  return distance(a, b);
}

/** `1 − distance / longer length`, in [0, 1]; 1 for two empty strings. */
export function levenshteinSimilarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - distance(a, b) / longest;
}

/** Common legal-form words dropped by `normalizeKey(s, { stopWords: COMPANY_STOP_WORDS })`. */
export const COMPANY_STOP_WORDS: readonly string[] = [
  'inc',
  'incorporated',
  'ltd',
  'limited',
  'llc',
  'plc',
  'corp',
  'corporation',
  'co',
  'company',
  'gmbh',
  'ag',
  'sa',
  'sarl',
  'bv',
  'nv',
  'srl',
  'spa',
  'oy',
  'ab',
  'the',
];

/**
 * A comparison key: Unicode NFKD, accents stripped, lower case, dots and apostrophes between
 * letters dropped, every other run of punctuation or space made one space, trimmed, then `stopWords` (compared after the same normalisation) removed.
 * `"  Café-Müller, Inc. "` → `"cafe muller inc"` (→ `"cafe muller"` with company stop words).
 */
export function normalizeKey(value: string, options: { stopWords?: readonly string[] } = {}): string {
  const tokens = value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    // dots and apostrophes inside words join them: "S.A." → "sa", "O'Neil" → "oneil"
    .replace(/(?<=\p{L})[.'’](?=\p{L})/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((token) => token.length > 0);
  if (!options.stopWords || options.stopWords.length === 0) return tokens.join(' ');
  const stop = new Set(options.stopWords.map((word) => normalizeKey(word)));
  return tokens.filter((token) => !stop.has(token)).join(' ');
}
