import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { SKLEARN_ENGLISH_STOP_WORDS } from './english-stop-words.js';
import { parseTfidfOptions, type TfidfOptions, type TfidfOptionsInput } from './options.js';
import {
  hasSurrogates,
  isAstralWordCodePoint,
  PYTHON_SPACE_RUNS,
  PYTHON_SPACES,
  wordTable,
} from './unicode-classes.js';

/** What the analyzer reads from the options. */
export type AnalyzerOptions = Pick<TfidfOptions, 'analyzer' | 'lowercase' | 'ngramRange' | 'stopWords'>;

/**
 * Writes the terms of one document into `out` from index 0 and returns how many there are; `out`
 * is reused between documents so that a corpus pass allocates only the term strings.
 */
export type Analyze = (doc: string, out: string[]) => number;

/**
 * sklearn's `build_analyzer()`: lowercase (`str.lower`), then
 * - `word`: the maximal runs of two or more word characters (`(?u)\b\w\w+\b`; lengths counted in
 *   code points, as Python does), stop words removed, then n-grams joined by a space;
 * - `char`: whitespace runs of two or more collapsed to one space, then n-grams of code points;
 * - `char_wb`: for each whitespace-separated word, ' ' + word + ' ' and its n-grams (a padded word
 *   shorter than n counts once, whole).
 */
export function createAnalyzer(options: AnalyzerOptions): Analyze {
  const [minN, maxN] = options.ngramRange;
  const lower = options.lowercase;
  if (options.analyzer === 'char') {
    return (doc, out) => charNgrams(lower ? doc.toLowerCase() : doc, minN, maxN, out);
  }
  if (options.analyzer === 'char_wb') {
    return (doc, out) => charWbNgrams(lower ? doc.toLowerCase() : doc, minN, maxN, out);
  }
  const table = wordTable();
  const stop =
    options.stopWords === null
      ? null
      : new Set(options.stopWords === 'english' ? SKLEARN_ENGLISH_STOP_WORDS : options.stopWords);
  if (minN === 1 && maxN === 1 && stop === null) {
    return (doc, out) => wordTokens(lower ? doc.toLowerCase() : doc, table, out);
  }
  const tokens: string[] = [];
  return (doc, out) => {
    let count = wordTokens(lower ? doc.toLowerCase() : doc, table, tokens);
    if (stop) count = removeStopWords(tokens, count, stop);
    return wordNgrams(tokens, count, minN, maxN, out);
  };
}

/**
 * The terms sklearn's analyzer gives for one document under these options (sklearn's
 * `TfidfVectorizer(**options).build_analyzer()(doc)`, in the same order).
 */
export function sklearnTokenize(doc: string, options: TfidfOptionsInput = {}): string[] {
  if (typeof doc !== 'string') {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'a document must be a string',
      step: 'tokenize',
      expected: 'a string',
      found: doc === null ? 'null' : typeof doc,
    });
  }
  const out: string[] = [];
  const count = createAnalyzer(parseTfidfOptions(options))(doc, out);
  out.length = count;
  return out;
}

function wordTokens(text: string, table: Uint8Array, out: string[]): number {
  const length = text.length;
  let count = 0;
  let start = -1;
  let codePoints = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    let word = table[c] === 1;
    let width = 1;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        width = 2;
        word = isAstralWordCodePoint(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
      }
    }
    if (word) {
      if (start < 0) {
        start = i;
        codePoints = 0;
      }
      codePoints++;
    } else if (start >= 0) {
      if (codePoints >= 2) out[count++] = text.slice(start, i);
      start = -1;
    }
    i += width - 1;
  }
  if (start >= 0 && codePoints >= 2) out[count++] = text.slice(start);
  return count;
}

function removeStopWords(tokens: string[], count: number, stop: ReadonlySet<string>): number {
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const token = tokens[i]!;
    if (!stop.has(token)) tokens[kept++] = token;
  }
  return kept;
}

/** sklearn's `_word_ngrams`: all unigrams first (when min_n is 1), then each longer n in turn. */
function wordNgrams(tokens: string[], count: number, minN: number, maxN: number, out: string[]): number {
  let n = 0;
  let from = minN;
  if (minN === 1) {
    for (let i = 0; i < count; i++) out[n++] = tokens[i]!;
    from = 2;
  }
  for (let size = from; size <= Math.min(maxN, count); size++) {
    for (let i = 0; i + size <= count; i++) {
      let gram = tokens[i]!;
      for (let k = 1; k < size; k++) gram += ` ${tokens[i + k]!}`;
      out[n++] = gram;
    }
  }
  return n;
}

/** Code points of a string, as one-character strings, when it holds surrogates; else null. */
function codePointsOf(text: string): string[] | null {
  return hasSurrogates(text) ? Array.from(text) : null;
}

function charNgrams(doc: string, minN: number, maxN: number, out: string[]): number {
  const text = doc.replace(PYTHON_SPACE_RUNS, ' ');
  const points = codePointsOf(text);
  const length = points ? points.length : text.length;
  const slice = (start: number, size: number) =>
    points ? points.slice(start, start + size).join('') : text.slice(start, start + size);
  let n = 0;
  for (let size = minN; size <= Math.min(maxN, length); size++) {
    for (let i = 0; i + size <= length; i++) out[n++] = slice(i, size);
  }
  return n;
}

function charWbNgrams(doc: string, minN: number, maxN: number, out: string[]): number {
  let n = 0;
  for (const word of doc.split(PYTHON_SPACES)) {
    if (word === '') continue;
    const padded = ` ${word} `;
    const points = codePointsOf(padded);
    const length = points ? points.length : padded.length;
    const slice = (start: number, size: number) =>
      points ? points.slice(start, start + size).join('') : padded.slice(start, start + size);
    for (let size = minN; size <= maxN; size++) {
      let offset = 0;
      out[n++] = slice(offset, size);
      while (offset + size < length) {
        offset++;
        out[n++] = slice(offset, size);
      }
      // A padded word no longer than n is counted once, as sklearn does.
      if (offset === 0) break;
    }
  }
  return n;
}
