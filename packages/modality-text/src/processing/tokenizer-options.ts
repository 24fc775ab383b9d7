import { z } from 'zod';

export const TIKTOKEN_ENCODINGS = ['cl100k_base', 'o200k_base', 'p50k_base', 'r50k_base', 'gpt2'] as const;
export type TiktokenEncodingName = (typeof TIKTOKEN_ENCODINGS)[number];

const charNgrams = z
  .object({
    kind: z.literal('char-ngrams'),
    min: z.number().int().min(1).default(2),
    max: z.number().int().min(1).default(4),
    /** n-grams of each whitespace-separated word padded as ` word ` (scikit-learn's `char_wb`). */
    withinWords: z.boolean().default(true),
  })
  .refine((o) => o.min <= o.max, { message: 'char-ngrams: min must not exceed max', path: ['min'] });

export const tokenizerOptionsSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('word') }),
    z.object({ kind: z.literal('segmenter'), locale: z.string().min(1) }),
    z.object({ kind: z.literal('whitespace') }),
    charNgrams,
    z.object({ kind: z.literal('tiktoken'), encoding: z.enum(TIKTOKEN_ENCODINGS).default('cl100k_base') }),
  ])
  .default({ kind: 'word' });

export type TokenizerOptions = z.input<typeof tokenizerOptionsSchema>;
export type TokenizerConfig = z.output<typeof tokenizerOptionsSchema>;

export interface Tokenizer {
  readonly kind: string;
  tokenize(text: string): string[];
}

/** What a tokenizer must know about the normaliser in front of it. */
export interface TokenizerContext {
  /**
   * Tokens emitted whole wherever they occur, never split or dropped: the placeholders `normalizeText`
   * inserts (`<url>` …). Text around them is tokenised as usual.
   */
  keep?: readonly string[];
}
