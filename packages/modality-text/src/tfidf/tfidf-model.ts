import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';
import { createAnalyzer } from './analyzer.js';
import { compareCodePoints } from './code-point-order.js';
import { parseTfidfOptions, type TfidfOptions } from './options.js';
import { createRowWeigher, type SparseRow } from './row-weigher.js';

export type { SparseRow } from './row-weigher.js';

/** A fitted TF-IDF vectorizer (scikit-learn's fitted `TfidfVectorizer`). */
export interface TfidfModel {
  readonly vocabularySize: number;
  /** The vocabulary in column order: sorted by code point (`get_feature_names_out()`). */
  readonly terms: readonly string[];
  /** idf per column (`idf_`); all ones when `useIdf` is false. */
  readonly idf: Float64Array;
  readonly options: TfidfOptions;
  /** Column of a term, or -1 (`vocabulary_.get(term)`). */
  indexOf(term: string): number;
  /** sklearn's `transform([doc])` row, computed in float64 and returned as float32. */
  transform(doc: string): SparseRow;
  /** The same row as a dense `[vocabularySize]` vector. */
  transformDense(doc: string): Float32Array;
  toJSON(): TfidfModelJSON;
}

export const TFIDF_JSON_FORMAT = 'omnifuse-tfidf';

/** What `toJSON` writes: plain JSON, reloaded by {@link tfidfFromJSON}. */
export interface TfidfModelJSON {
  readonly format: typeof TFIDF_JSON_FORMAT;
  readonly version: 1;
  readonly options: TfidfOptions;
  readonly terms: readonly string[];
  /** null when `useIdf` is false. */
  readonly idf: readonly number[] | null;
}

/** Builds the model from its fitted parts; `terms` must be code-point sorted and `idf` aligned. */
export function createTfidfModel(
  options: TfidfOptions,
  terms: readonly string[],
  idf: Float64Array | null,
): TfidfModel {
  const size = terms.length;
  const vocabulary = new Map<string, number>();
  for (let i = 0; i < size; i++) vocabulary.set(terms[i]!, i);
  const weights = idf ?? new Float64Array(size).fill(1);
  const analyze = createAnalyzer(options);

  const weigher = createRowWeigher(options, idf, size);
  const buffer: string[] = [];

  /** Counts one document's known terms into the weigher. */
  const count = (doc: string): void => {
    if (typeof doc !== 'string') {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: 'a document must be a string',
        step: 'transform',
        expected: 'a string',
        found: doc === null ? 'null' : typeof doc,
      });
    }
    const n = analyze(doc, buffer);
    for (let i = 0; i < n; i++) {
      const column = vocabulary.get(buffer[i]!);
      if (column !== undefined) weigher.add(column);
    }
  };

  const model: TfidfModel = {
    vocabularySize: size,
    terms,
    idf: weights,
    options,
    indexOf: (term) => vocabulary.get(term) ?? -1,
    transform(doc) {
      count(doc);
      return weigher.sparse();
    },
    transformDense(doc) {
      count(doc);
      return weigher.dense();
    },
    toJSON: () => ({
      format: TFIDF_JSON_FORMAT,
      version: 1,
      options,
      terms: [...terms],
      idf: idf ? Array.from(idf) : null,
    }),
  };
  return model;
}

const jsonSchema = z.strictObject({
  format: z.literal(TFIDF_JSON_FORMAT),
  version: z.literal(1),
  options: z.unknown(),
  terms: z.array(z.string()).min(1),
  idf: z.array(z.number().finite().min(1)).nullable(),
});

/** Reloads a model written by `toJSON`; a corrupt or mismatched state is an `E_INPUT` OmnifuseError. */
export function tfidfFromJSON(json: unknown): TfidfModel {
  const fail = (message: string, path: string, found?: unknown): never => {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: `invalid TF-IDF state: ${message}`,
      step: 'fromJSON',
      path,
      expected: 'the JSON of a fitted TF-IDF model (TfidfModel.toJSON())',
      found,
    });
  };
  const parsed = jsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(issue.message, issue.path.map(String).join('.'));
  }
  const { terms, idf } = parsed.data;
  let options: TfidfOptions;
  try {
    options = parseTfidfOptions(parsed.data.options);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), 'options');
  }
  for (let i = 1; i < terms.length; i++) {
    if (compareCodePoints(terms[i - 1]!, terms[i]!) >= 0) {
      fail('terms must be unique and sorted by code point', `terms.${i}`, terms[i]);
    }
  }
  if (options.useIdf !== (idf !== null)) fail('idf must be present exactly when useIdf is true', 'idf');
  if (idf && idf.length !== terms.length) {
    fail(`${terms.length} terms but ${idf.length} idf values`, 'idf', idf.length);
  }
  return createTfidfModel(options, terms, idf ? Float64Array.from(idf) : null);
}
