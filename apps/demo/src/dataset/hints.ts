import type { Rng } from '@omnifuse/core';
import { DIGIT_WORDS } from './spoken-digit.js';

/** Target rates: `missing` of all hints, `wrong` of the hints that are present. */
export const HINT_RATES = { missing: 0.3, wrong: 0.2 } as const;

export type HintKind = 'right' | 'wrong' | 'missing';

export interface DigitHint {
  /** The hint text, or null when the example has none. */
  readonly text: string | null;
  readonly kind: HintKind;
  /** The digit the hint names (the label, or another digit when wrong); null when missing. */
  readonly digit: number | null;
}

const TYPOS: readonly (readonly string[])[] = [
  ['zer0', 'zreo', 'zro'],
  ['oen', 'on', 'wun'],
  ['tow', 'to', 'twoo'],
  ['thre', 'tree', 'thee'],
  ['for', 'fuor', 'fourr'],
  ['fiv', 'fvie', 'fife'],
  ['sx', 'sixx', 'sicks'],
  ['sevn', 'sevne', 'seve'],
  ['eigth', 'ate', 'eihgt'],
  ['nien', 'nin', 'nein'],
];

/** `{d}` is the digit ("7"), `{w}` a word for it ("seven", maybe misspelt), `{a}` "a" or "an". */
const TEMPLATES = [
  '{d}',
  '{w}',
  'looks like {a} {w}',
  'maybe {d}?',
  "I think it's {w}",
  "I think it's {a} {d}",
  'probably {a} {w}',
  '{w}?',
  'digit {d}',
  'kinda like {a} {w}',
  "it's {a} {w} i guess",
  'def {a} {w}',
];

/** A short, noisy, human-style hint for an example of digit `label`; sometimes missing or wrong. */
export function makeDigitHint(label: number, rng: Rng): DigitHint {
  if (rng.next() < HINT_RATES.missing) return { text: null, kind: 'missing', digit: null };
  const wrong = rng.next() < HINT_RATES.wrong;
  const digit = wrong ? (label + 1 + rng.int(9)) % 10 : label;
  const word = rng.next() < 0.2 ? pick(TYPOS[digit]!, rng) : DIGIT_WORDS[digit]!;
  const text = pick(TEMPLATES, rng)
    .replace('{d}', String(digit))
    .replace('{w}', word)
    .replace('{a}', digit === 8 ? 'an' : 'a');
  return { text: changeCase(text, rng), kind: wrong ? 'wrong' : 'right', digit };
}

/** Every way a hint may spell `digit` as a word: the word and its typos. */
export function digitSpellings(digit: number): string[] {
  return [DIGIT_WORDS[digit]!, ...TYPOS[digit]!];
}

function changeCase(text: string, rng: Rng): string {
  const r = rng.next();
  if (r < 0.1) return text.toUpperCase();
  if (r < 0.35) return text.charAt(0).toUpperCase() + text.slice(1);
  return text;
}

function pick<T>(items: readonly T[], rng: Rng): T {
  return items[rng.int(items.length)]!;
}
