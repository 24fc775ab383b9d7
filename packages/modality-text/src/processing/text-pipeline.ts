import { z } from 'zod';
import { createTokenizer } from './create-tokenizer.js';
import { normalizeOptionsSchema, normalizePlaceholders, normalizeWith } from './normalize-text.js';
import { stopwordSet } from './stopwords.js';
import { parseTextOptions, type TextSource } from './text-error.js';
import { limitLength, rawText } from './text-input.js';
import { tokenizerOptionsSchema } from './tokenizer-options.js';

export const textProcessingSchema = z
  .object({
    normalize: normalizeOptionsSchema.prefault({}),
    tokenizer: tokenizerOptionsSchema,
    /** Languages whose stop words are dropped (`['en']`, `['eng', 'zho']`), or `false`. */
    stopwords: z.union([z.literal(false), z.array(z.string().min(1))]).default(false),
    /** Longest text processed, in code points of the raw input (before normalisation). */
    maxChars: z.number().int().positive().default(100_000),
    overLength: z.enum(['truncate', 'error']).default('truncate'),
  })
  .refine(
    (o) => o.stopwords === false || (o.tokenizer.kind !== 'tiktoken' && o.tokenizer.kind !== 'char-ngrams'),
    {
      message: 'stop words apply to word tokens, not to BPE ids or character n-grams',
      path: ['stopwords'],
    },
  );

export type TextProcessingOptions = z.input<typeof textProcessingSchema>;
export type TextProcessingConfig = z.output<typeof textProcessingSchema>;

export interface TextPipeline {
  /**
   * Tokens of one raw value. `raw` is a string, or a Uint8Array/Buffer of UTF-8 bytes; `where` names
   * the record and field in errors. Policies:
   * - text that is empty after processing (blank, only punctuation, only stop words) → `[]`;
   * - not a string or bytes (undefined, null, NaN, a number, an object) → `E_INPUT` (`not-text`);
   * - invalid UTF-8 bytes → `E_INPUT` (`invalid-utf8`, `details.offset`);
   * - lone surrogates in a string → U+FFFD;
   * - longer than `maxChars` code points → cut at a code point boundary, or `E_INPUT` (`too-long`)
   *   with `overLength: 'error'`.
   */
  tokens(raw: unknown, where?: TextSource): string[];
  readonly config: TextProcessingConfig;
}

/**
 * Normalisation → tokenisation → stop words. The stop word lists are normalised with the same
 * options as the text (so NFKC, accents and case match); with `lowercase: false` a token is
 * compared in lower case, since the lists are. Invalid options are an `E_OPTIONS` OmnifuseError.
 */
export function createTextPipeline(options?: TextProcessingOptions): TextPipeline {
  const config = parseTextOptions('createTextPipeline', textProcessingSchema, options ?? {});
  const tokenizer = createTokenizer(config.tokenizer, { keep: normalizePlaceholders(config.normalize) });
  const stopwords = config.stopwords === false ? undefined : normalizedStopwords(config);
  const keepCase = !config.normalize.lowercase;
  return {
    config,
    tokens(raw, where) {
      const text = limitLength(rawText(raw, where), config.maxChars, config.overLength, where);
      const tokens = tokenizer.tokenize(normalizeWith(text, config.normalize));
      if (!stopwords) return tokens;
      return tokens.filter((token) => !stopwords.has(keepCase ? token.toLowerCase() : token));
    },
  };
}

function normalizedStopwords(config: TextProcessingConfig): ReadonlySet<string> {
  const words = stopwordSet(config.stopwords || []);
  const wordConfig = {
    ...config.normalize,
    placeholders: { url: false, email: false, number: false },
  } as const;
  const out = new Set<string>();
  for (const word of words) out.add(normalizeWith(word, wordConfig).toLowerCase());
  return out;
}
