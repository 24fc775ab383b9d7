import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';

/** A document-frequency bound, resolved: a number of documents or a proportion of them. */
export type DocumentFrequency = { readonly count: number } | { readonly proportion: number };

/**
 * sklearn tells `min_df=1` (one document) from `max_df=1.0` (every document) by the Python type,
 * which JavaScript numbers lack. A plain number follows sklearn where it can be told apart: an
 * integer ≥ 2 counts documents, a fraction in [0, 1) is a proportion, and `1` is sklearn's
 * default for each bound (`minDf: 1` one document, `maxDf: 1` every document). The object forms
 * say it outright.
 */
function documentFrequency(one: 'count' | 'proportion') {
  return z
    .union([
      z.number().min(0),
      z.strictObject({ count: z.number().int().min(1) }),
      z.strictObject({ proportion: z.number().min(0).max(1) }),
    ])
    .superRefine((value, ctx) => {
      if (typeof value === 'number' && !Number.isInteger(value) && value > 1) {
        ctx.addIssue({
          code: 'custom',
          message: 'a fractional document frequency is a proportion in [0, 1]',
        });
      }
    })
    .transform((value): DocumentFrequency => {
      if (typeof value !== 'number') return value;
      if (value === 1) return one === 'count' ? { count: 1 } : { proportion: 1 };
      return Number.isInteger(value) && value > 1 ? { count: value } : { proportion: value };
    });
}

/**
 * Options of {@link fitTfidf}; every default is scikit-learn's `TfidfVectorizer` default (sklearn's
 * name in brackets). `decode_error`, `strip_accents`, `token_pattern`, `preprocessor`,
 * `tokenizer` and a fixed `vocabulary` are not offered: they stay at sklearn's defaults.
 */
export const tfidfOptionsSchema = z.strictObject({
  /** Lowercase with Unicode full case mapping (Python `str.lower`) before analysis [`lowercase=True`]. */
  lowercase: z.boolean().default(true),
  /**
   * `'word'`: `(?u)\b\w\w+\b` tokens, then n-grams joined by a space; `'char'`: character n-grams
   * of the text with whitespace runs collapsed; `'char_wb'`: character n-grams inside each
   * whitespace-separated word padded with a space on each side [`analyzer='word'`].
   */
  analyzer: z.enum(['word', 'char', 'char_wb']).default('word'),
  /** Smallest and largest n of the n-grams [`ngram_range=(1, 1)`]. */
  ngramRange: z
    .tuple([z.number().int().min(1), z.number().int().min(1)])
    .refine(([min, max]) => min <= max, 'ngramRange must be [min, max] with min <= max')
    .default([1, 1]),
  /**
   * Tokens removed before word n-grams are formed (word analyzer only, as in sklearn):
   * `'english'` is sklearn's own 318-word list, or give the words [`stop_words=None`].
   */
  stopWords: z
    .union([z.literal('english'), z.array(z.string())])
    .nullable()
    .default(null),
  /** Drop terms in fewer documents than this [`min_df=1`]. */
  minDf: documentFrequency('count').default({ count: 1 }),
  /** Drop terms in more documents than this [`max_df=1.0`]. */
  maxDf: documentFrequency('proportion').default({ proportion: 1 }),
  /**
   * Keep only the terms most frequent over the corpus, ties broken as sklearn (numpy's introsort
   * over the code-point-sorted vocabulary) [`max_features=None`].
   */
  maxFeatures: z.number().int().positive().nullable().default(null),
  /** Row normalisation [`norm='l2'`]. */
  norm: z.enum(['l2', 'l1']).nullable().default('l2'),
  /** Weight counts by idf [`use_idf=True`]. */
  useIdf: z.boolean().default(true),
  /** idf = ln((1 + n) / (1 + df)) + 1 when true, else ln(n / df) + 1 [`smooth_idf=True`]. */
  smoothIdf: z.boolean().default(true),
  /** Replace a count tf by 1 + ln(tf) [`sublinear_tf=False`]. */
  sublinearTf: z.boolean().default(false),
  /** Count a term once per document [`binary=False`]. */
  binary: z.boolean().default(false),
});

export type TfidfOptions = z.output<typeof tfidfOptionsSchema>;
export type TfidfOptionsInput = z.input<typeof tfidfOptionsSchema>;

/** Validates options (defaults filled in); a bad one becomes an `E_OPTIONS` OmnifuseError naming it. */
export function parseTfidfOptions(options: unknown): TfidfOptions {
  const result = tfidfOptionsSchema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `invalid TF-IDF options: ${issue.message}`,
    step: 'options',
    path,
    details: {
      issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    },
  });
}
