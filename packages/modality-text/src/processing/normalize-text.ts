import { z } from 'zod';
import { placeholderTokens, replacePlaceholders } from './placeholders.js';
import { parseTextOptions } from './text-error.js';

const placeholder = z
  .union([
    z.string().regex(/^\S+$/u, 'a placeholder is one non-empty token without whitespace'),
    z.literal(false),
  ])
  .default(false);

export const normalizeOptionsSchema = z.object({
  /** Unicode normalisation form; NFKC folds full-width forms, ligatures and compatibility digits. */
  form: z.enum(['NFKC', 'NFC', 'none']).default('NFKC'),
  lowercase: z.boolean().default(true),
  /**
   * Drops combining marks that follow a Latin, Greek or Cyrillic base (café → cafe, ά → α). Marks in
   * other scripts are kept: in Devanagari, Thai, Arabic … they are vowels, viramas or nuktas, and
   * removing them changes the word.
   */
  stripAccents: z.boolean().default(false),
  /** Replace URLs, emails and/or numbers by a token such as `<url>`; tokenizers keep it whole. */
  placeholders: z.object({ url: placeholder, email: placeholder, number: placeholder }).prefault({}),
});

export type NormalizeOptions = z.input<typeof normalizeOptionsSchema>;
export type NormalizeConfig = z.output<typeof normalizeOptionsSchema>;

// A run of marks after a base of a script whose marks are accents (not vowels).
const ACCENTED = /([\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}])\p{M}+/gu;

/**
 * Normalises text: Unicode form, then case, then accents, then placeholders (last, so a placeholder
 * such as `<URL>` is inserted exactly as configured). With `stripAccents` the text is decomposed
 * (NFD) to find the marks and recomposed afterwards (NFKC when `form` is NFKC, NFC otherwise, so
 * Hangul syllables and kept marks come back composed). NFKC here keeps Thai and Lao AM (ำ, ຳ)
 * whole, which plain NFKC splits into two marks; ICU's Thai dictionary needs the composed form. `lowercase` is `String#toLowerCase`
 * (locale-independent); it runs before accent stripping so `İ` → `i̇` → `i`.
 */
export function normalizeText(text: string, options?: NormalizeOptions): string {
  return normalizeWith(text, parseNormalizeOptions(options));
}

export function parseNormalizeOptions(options: NormalizeOptions | undefined): NormalizeConfig {
  return parseTextOptions('normalizeText', normalizeOptionsSchema, options ?? {});
}

/** {@link normalizeText} with options already parsed (the pipeline's hot path). */
export function normalizeWith(text: string, config: NormalizeConfig): string {
  let out = config.form === 'none' ? text : normalizeForm(text, config.form);
  if (config.lowercase) out = out.toLowerCase();
  if (config.stripAccents) {
    out = out.normalize('NFD').replace(ACCENTED, '$1').normalize('NFC');
    if (config.form === 'NFKC') out = normalizeForm(out, 'NFKC');
  }
  return replacePlaceholders(out, config.placeholders);
}

// NFKC splits Thai SARA AM (U+0E33) into NIKHAHIT + SARA AA, and Lao AM likewise. ICU's
// dictionary and the stop word lists spell words with AM (ทำงาน segments as ทํา|งาน otherwise),
// so the pair is joined back, as PyThaiNLP's `normalize` does.
const SPLIT_AM = /\u0E4D\u0E32|\u0ECD\u0EB2/g;

function normalizeForm(text: string, form: 'NFKC' | 'NFC'): string {
  const out = text.normalize(form);
  return form === 'NFKC'
    ? out.replace(SPLIT_AM, (pair) => (pair === '\u0E4D\u0E32' ? '\u0E33' : '\u0EB3'))
    : out;
}

/** The placeholder tokens these options insert, to pass to `createTokenizer(…, { keep })`. */
export function normalizePlaceholders(config: NormalizeConfig): string[] {
  return placeholderTokens(config.placeholders);
}
