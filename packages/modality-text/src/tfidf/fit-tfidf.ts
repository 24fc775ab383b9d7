import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { createAnalyzer } from './analyzer.js';
import { sortByCodePoint } from './code-point-order.js';
import { numpyArgsort } from './numpy-argsort.js';
import { type DocumentFrequency, parseTfidfOptions, type TfidfOptionsInput } from './options.js';
import { createRowWeigher, type SparseRow } from './row-weigher.js';
import { createTfidfModel, type TfidfModel } from './tfidf-model.js';

/**
 * Fits a TF-IDF vectorizer numerically equal to scikit-learn's
 * `TfidfVectorizer(**options).fit(documents)` (checked against sklearn 1.2.1 on real sentences):
 *
 * - terms: sklearn's analyzer (see {@link createAnalyzer}), Python `str.lower` and
 *   `(?u)\b\w\w+\b` by default, Unicode classes as Python's `re`;
 * - vocabulary: every term, pruned to `minDf ≤ df ≤ maxDf` (a proportion p means p·n documents),
 *   then to the `maxFeatures` most frequent over the corpus (ties as numpy's `argsort`), in
 *   code-point order (Python's `sorted`), i.e. `get_feature_names_out()`;
 * - idf = ln((n + s) / (df + s)) + 1 in float64, s = 1 with `smoothIdf` (sklearn's `idf_`);
 * - `transform`: tf (count; 1 when `binary`; 1 + ln tf when `sublinearTf`) × idf, divided by the
 *   row's L2 or L1 norm (a zero row stays zero), computed in float64 and returned as float32.
 *
 * Throws an `E_INPUT` OmnifuseError for a non-string document, when no document yields a term
 * (sklearn's "empty vocabulary" ValueError), when the bounds contradict each other or prune every
 * term; `E_OPTIONS` for invalid options.
 */
export function fitTfidf(documents: readonly string[], options: TfidfOptionsInput = {}): TfidfModel {
  return fitVocabulary(documents, options, false).model;
}

/**
 * `fitTfidf(documents, options)` and the TF-IDF rows of those documents in one pass over them
 * (sklearn's `fit_transform`): the terms found while fitting are kept as ids, not analysed twice.
 */
export function fitTransformTfidf(
  documents: readonly string[],
  options: TfidfOptionsInput = {},
): { model: TfidfModel; rows: SparseRow[] } {
  const { model, columnOfId, docTerms, docEnds } = fitVocabulary(documents, options, true);
  const weigher = createRowWeigher(
    model.options,
    model.options.useIdf ? model.idf : null,
    model.vocabularySize,
  );
  const rows: SparseRow[] = [];
  let start = 0;
  for (let d = 0; d < documents.length; d++) {
    const end = docEnds[d]!;
    for (let i = start; i < end; i++) {
      const column = columnOfId[docTerms[i]!]!;
      if (column >= 0) weigher.add(column);
    }
    rows.push(weigher.sparse());
    start = end;
  }
  return { model, rows };
}

interface Fitted {
  model: TfidfModel;
  /** Column of each first-sight term id, -1 when pruned. */
  columnOfId: Int32Array;
  /** The term ids of every document, one after the other, when asked for; `docEnds[d]` ends doc d. */
  docTerms: Int32Array;
  docEnds: Int32Array;
}

function fitVocabulary(documents: readonly string[], options: TfidfOptionsInput, keepTerms: boolean): Fitted {
  const parsed = parseTfidfOptions(options);
  if (!Array.isArray(documents)) {
    throw inputError('documents must be an array of strings', { found: typeof documents });
  }
  const analyze = createAnalyzer(parsed);

  // One pass: term → id in order of first sight, with document and corpus frequencies.
  const ids = new Map<string, number>();
  let df = new Int32Array(1024);
  let tf = new Float64Array(1024);
  let lastDoc = new Int32Array(1024).fill(-1);
  const buffer: string[] = [];
  let docTerms = new Int32Array(keepTerms ? 4096 : 0);
  const docEnds = new Int32Array(keepTerms ? documents.length : 0);
  let termCount = 0;
  for (let d = 0; d < documents.length; d++) {
    const doc = documents[d];
    if (typeof doc !== 'string') {
      throw inputError('a document must be a string', {
        record: d,
        found: doc === null ? 'null' : typeof doc,
      });
    }
    const n = analyze(doc, buffer);
    if (keepTerms && termCount + n > docTerms.length) {
      const grown = new Int32Array(Math.max(docTerms.length * 2, termCount + n));
      grown.set(docTerms);
      docTerms = grown;
    }
    for (let i = 0; i < n; i++) {
      const term = buffer[i]!;
      let id = ids.get(term);
      if (id === undefined) {
        id = ids.size;
        ids.set(term, id);
        if (id === df.length) {
          const grownDf = new Int32Array(id * 2);
          grownDf.set(df);
          df = grownDf;
          const grownTf = new Float64Array(id * 2);
          grownTf.set(tf);
          tf = grownTf;
          const grownLast = new Int32Array(id * 2).fill(-1);
          grownLast.set(lastDoc);
          lastDoc = grownLast;
        }
      }
      if (lastDoc[id] !== d) {
        lastDoc[id] = d;
        df[id]!++;
      }
      tf[id]!++;
      if (keepTerms) docTerms[termCount++] = id;
    }
    if (keepTerms) docEnds[d] = termCount;
  }
  if (ids.size === 0) {
    throw inputError('empty vocabulary; perhaps the documents only contain stop words', {
      expected: 'at least one term in the documents',
      found: `${documents.length} documents without a term`,
    });
  }

  const nDocs = documents.length;
  const maxDocCount = docCount(parsed.maxDf, nDocs);
  const minDocCount = docCount(parsed.minDf, nDocs);
  if (maxDocCount < minDocCount) {
    throw inputError('maxDf corresponds to fewer documents than minDf', {
      expected: `maxDf ≥ minDf (${minDocCount} documents)`,
      found: `${maxDocCount} documents`,
    });
  }

  const sorted = sortByCodePoint([...ids.keys()]);
  const order = new Int32Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) order[i] = ids.get(sorted[i]!)!;
  let kept: number[] = [];
  for (let i = 0; i < order.length; i++) {
    const f = df[order[i]!]!;
    if (f <= maxDocCount && f >= minDocCount) kept.push(i);
  }
  if (parsed.maxFeatures !== null && kept.length > parsed.maxFeatures) {
    // sklearn: (-tfs[mask]).argsort()[:limit] over the sorted vocabulary, tfs after `binary`.
    const negative = new Float64Array(kept.length);
    for (let k = 0; k < kept.length; k++) {
      const id = order[kept[k]!]!;
      negative[k] = -(parsed.binary ? df[id]! : tf[id]!);
    }
    const top = numpyArgsort(negative).subarray(0, parsed.maxFeatures);
    kept = Array.from(top, (k) => kept[k]!).sort((a, b) => a - b);
  }
  if (kept.length === 0) {
    throw inputError('after pruning, no terms remain; try a lower minDf or a higher maxDf', {
      expected: 'at least one term within minDf and maxDf',
      found: `${sorted.length} terms, none kept`,
    });
  }

  const terms = kept.map((i) => sorted[i]!);
  let idf: Float64Array | null = null;
  if (parsed.useIdf) {
    const smooth = parsed.smoothIdf ? 1 : 0;
    idf = new Float64Array(kept.length);
    for (let k = 0; k < kept.length; k++) {
      idf[k] = Math.log((nDocs + smooth) / (df[order[kept[k]!]!]! + smooth)) + 1;
    }
  }
  const columnOfId = new Int32Array(keepTerms ? ids.size : 0).fill(-1);
  if (keepTerms) for (let k = 0; k < kept.length; k++) columnOfId[order[kept[k]!]!] = k;
  return { model: createTfidfModel(parsed, terms, idf), columnOfId, docTerms, docEnds };
}

/** sklearn: an int bound is a document count, a float one `bound * n_doc`. */
function docCount(bound: DocumentFrequency, nDocs: number): number {
  return 'count' in bound ? bound.count : bound.proportion * nDocs;
}

function inputError(
  message: string,
  fields: { record?: number; expected?: unknown; found?: unknown },
): OmnifuseError {
  return new OmnifuseError({ code: ErrorCode.InvalidInput, message, step: 'fit', ...fields });
}
