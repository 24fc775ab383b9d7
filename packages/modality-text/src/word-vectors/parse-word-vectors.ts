import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type { WordVectorFormat } from './word-vector-options.js';

/** The rows of a vocabulary found in a vectors file. */
export interface WordVectorMatrix {
  readonly dim: number;
  /** `[size, dim]` row-major; rows of words the file lacks are zeros. */
  readonly matrix: Float32Array;
  /** 1 where the row came from the file. */
  readonly found: Uint8Array;
  readonly foundCount: number;
}

/** Which vocabulary row a word fills, or -1 to skip it (not in the vocabulary, or a special). */
export type RowOf = (word: string) => number;

/**
 * A line-by-line parser of a word-vectors text file, fed lines as they are read so that a large
 * file never sits in memory as one string. Every line's field count is checked; the numbers are
 * parsed (and checked) only for words the vocabulary keeps, which is what makes a 1 GB file fast.
 */
export function createWordVectorParser(options: {
  file: string;
  format: WordVectorFormat;
  size: number;
  rowOf: RowOf;
}) {
  const { file, format, size, rowOf } = options;
  let lineNumber = 0;
  let dim = 0;
  let matrix: Float32Array | null = null;
  let found = new Uint8Array(size);
  let foundCount = 0;

  const fail = (message: string, extra: { expected?: unknown; found?: unknown } = {}) =>
    new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: `line ${lineNumber}: ${message}`,
      file,
      details: { line: lineNumber },
      ...extra,
    });

  function header(line: string): void {
    const parts = line.trim().split(/\s+/);
    const [count, size] = parts.map(Number);
    if (parts.length !== 2 || !Number.isInteger(count) || !Number.isInteger(size) || size! < 1)
      throw fail('a word2vec text file starts with a "count dim" header', {
        expected: 'two integers',
        found: line.slice(0, 80),
      });
    dim = size!;
  }

  function vectorLine(line: string): void {
    const text = line.trimEnd(); // word2vec writes a trailing space; Windows files end in \r
    if (text.length === 0) return;
    let space = text.indexOf(' ');
    if (space <= 0) throw fail('expected a word followed by numbers', { found: text.slice(0, 80) });
    let fields = countFields(text, space);
    if (dim === 0) dim = fields; // GloVe: the first line sets the size
    if (fields > dim && format === 'glove') {
      // GloVe 840B has a few "words" with spaces in them: the vector is the last `dim` fields.
      space = spaceBeforeLast(text, dim);
      fields = dim;
    }
    if (fields !== dim)
      throw fail(`expected ${dim} numbers after the word`, { expected: dim, found: fields });
    const row = rowOf(text.slice(0, space));
    if (row < 0 || found[row] === 1) return; // first occurrence wins
    matrix ??= new Float32Array(size * dim);
    const values = text.slice(space + 1).split(' ');
    const offset = row * dim;
    for (let i = 0; i < dim; i++) {
      const value = Number(values[i]);
      if (!Number.isFinite(value) || values[i] === '')
        throw fail(`number ${i + 1} is not a finite number`, { found: values[i] });
      matrix[offset + i] = value;
    }
    found[row] = 1;
    foundCount++;
  }

  return {
    line(line: string): void {
      lineNumber++;
      if (lineNumber === 1 && format === 'word2vec-text') header(line);
      else vectorLine(line);
    },
    result(): WordVectorMatrix {
      if (dim === 0)
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: 'the vectors file has no vectors',
          file,
        });
      const out = { dim, matrix: matrix ?? new Float32Array(size * dim), found, foundCount };
      found = new Uint8Array(0);
      return out;
    },
  };
}

/** Fields after the word: the number of single-space separators after `space`, plus one. */
function countFields(text: string, space: number): number {
  let count = 1;
  for (let i = space + 1; i < text.length; i++) if (text.charCodeAt(i) === 32) count++;
  return count;
}

/** Index of the space that precedes the last `count` fields. */
function spaceBeforeLast(text: string, count: number): number {
  let seen = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text.charCodeAt(i) === 32 && ++seen === count) return i;
  }
  return -1;
}
