import { type TokenizerSource, unsupported } from './errors.js';

/** Oniguruma's Unicode `\w` (the regexes in tokenizer.json are Oniguruma's, not JavaScript's). */
const ONIG_WORD = '\\p{L}\\p{M}\\p{Nd}\\p{Pc}';

const OUTSIDE: Readonly<Record<string, string>> = {
  s: '\\p{White_Space}',
  S: '\\P{White_Space}',
  d: '\\p{Nd}',
  D: '\\P{Nd}',
  w: `[${ONIG_WORD}]`,
  W: `[^${ONIG_WORD}]`,
};
const INSIDE: Readonly<Record<string, string>> = {
  s: '\\p{White_Space}',
  S: '\\P{White_Space}',
  d: '\\p{Nd}',
  D: '\\P{Nd}',
  w: ONIG_WORD,
};

/**
 * Compiles an Oniguruma pattern from tokenizer.json as a global Unicode JS RegExp, rewriting the
 * shorthand classes whose meaning differs (`\s`, `\d`, `\w` are Unicode-wide in Oniguruma, ASCII in
 * JS). Syntax JS lacks (inline flags, possessive quantifiers, `\W` inside a class, …) is refused
 * rather than approximated.
 */
export function compileOnigRegex(pattern: string, source: TokenizerSource, path: string): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1]!;
      const table = inClass ? INSIDE : OUTSIDE;
      if (next in OUTSIDE) {
        const replacement = table[next];
        if (replacement === undefined)
          unsupported(source, path, `the regex escape \\${next} inside a class`, pattern);
        out += replacement;
      } else out += c + next;
      i++;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  try {
    return new RegExp(out, 'gu');
  } catch (error) {
    return unsupported(
      source,
      path,
      `the Oniguruma regex ${JSON.stringify(pattern)} (no JavaScript equivalent: ${(error as Error).message})`,
      pattern,
    );
  }
}

/** A literal string as a global RegExp. */
export const literalRegex = (text: string): RegExp =>
  new RegExp(text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'gu');
