import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ErrorCode, OmnifuseError, sha256 } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import type { VocabularyJSON } from '../processing/index.js';
import {
  clearPretrainedVectorCache,
  loadPretrainedVectors,
  pretrainedEmbeddingMatrix,
  readWordVectors,
  readWordVectorsSync,
} from './index.js';
import { vectorOf, writeVectorsFile } from './test-vectors.js';

const vocabulary: VocabularyJSON = {
  tokens: ['[PAD]', '[UNK]', 'good', 'food', 'service', 'zzz-not-in-file'],
  specials: { pad: '[PAD]', unk: '[UNK]' },
};
const rowOf = (word: string) => {
  const id = vocabulary.tokens.indexOf(word);
  return id >= 2 ? id : -1;
};
const glove = (file: string) => ({
  path: file,
  format: 'glove' as const,
  trainable: false,
  fit: 'vocabulary' as const,
});

async function caught(run: () => unknown): Promise<OmnifuseError> {
  try {
    await run();
  } catch (error) {
    if (OmnifuseError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an OmnifuseError');
}

describe('readWordVectors', () => {
  it('keeps only the vocabulary rows of a GloVe file and hashes the whole file', async () => {
    const file = writeVectorsFile(['the', 'food', 'a', 'good', 'service', 'food'], 4);
    const read = await readWordVectors({ path: file, format: 'glove', size: 6, rowOf });
    expect(read.dim).toBe(4);
    expect(read.foundCount).toBe(3);
    expect(Array.from(read.found)).toEqual([0, 0, 1, 1, 1, 0]);
    expect(Array.from(read.matrix.subarray(3 * 4, 4 * 4))).toEqual(
      Array.from(Float32Array.from(vectorOf('food', 4))),
    );
    expect(read.sha256).toBe(sha256(readFileSync(file)));
  });

  it('reads a word2vec text file (count dim header, trailing spaces, CRLF)', async () => {
    const file = writeVectorsFile([], 3, {
      extraLines: ['2 3', 'good 0.5 -1 2 \r', 'food 1e-3 0 0.25 \r'],
    });
    const read = await readWordVectors({ path: file, format: 'word2vec-text', size: 6, rowOf });
    expect(read.dim).toBe(3);
    expect(Array.from(read.matrix.subarray(6, 12))).toEqual([0.5, -1, 2, 0.001, 0, 0.25].map(Math.fround));
  });

  it('streams a file larger than its chunks, the same sync and async', async () => {
    // ~3 MB: words spread over several 1 MiB chunks, the vocabulary's words near the end.
    const filler = Array.from({ length: 40_000 }, (_, i) => `filler${i}`);
    const file = writeVectorsFile([...filler, 'good', ...filler.map((w) => `${w}b`), 'service'], 8);
    const [a, b] = [
      await readWordVectors({ path: file, format: 'glove', size: 6, rowOf }),
      readWordVectorsSync({ path: file, format: 'glove', size: 6, rowOf }),
    ];
    expect(a.foundCount).toBe(2);
    expect(Array.from(a.matrix.subarray(16, 24))).toEqual(Array.from(Float32Array.from(vectorOf('good', 8))));
    expect(Array.from(b.matrix)).toEqual(Array.from(a.matrix));
    expect(b.sha256).toBe(a.sha256);
  });

  it('names the file and line of a line with the wrong number of values', async () => {
    const file = writeVectorsFile(['good', 'food'], 3, { extraLines: ['service 1 2'] });
    const error = await caught(() => readWordVectors({ path: file, format: 'glove', size: 6, rowOf }));
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.file).toBe(file);
    expect(error.details).toEqual({ line: 3 });
    expect(error.message).toMatch(/line 3: expected 3 numbers/);
  });

  it('names the line of a vocabulary word whose value is not a number', async () => {
    const file = writeVectorsFile(['the'], 2, { extraLines: ['good 1 abc'] });
    const error = await caught(() => readWordVectors({ path: file, format: 'glove', size: 6, rowOf }));
    expect(error.details).toEqual({ line: 2 });
  });

  it('rejects a word2vec file without its header, and a missing file', async () => {
    const file = writeVectorsFile(['good'], 2);
    const noHeader = await caught(() =>
      readWordVectors({ path: file, format: 'word2vec-text', size: 6, rowOf }),
    );
    expect(noHeader.details).toEqual({ line: 1 });
    const missing = await caught(() =>
      readWordVectors({ path: `${file}.gone`, format: 'glove', size: 6, rowOf }),
    );
    expect(missing).toMatchObject({ code: ErrorCode.InvalidInput, file: `${file}.gone` });
  });
});

describe('pretrained vectors for an encoder', () => {
  it('reports coverage and builds PAD zeros, file rows and small seeded rows for the rest', async () => {
    const file = writeVectorsFile(['good', 'food', 'service', 'other'], 4);
    const state = await loadPretrainedVectors(glove(file), vocabulary);
    expect(state).toMatchObject({
      dim: 4,
      found: 3,
      words: 4,
      coverage: 0.75,
      sha256: sha256(readFileSync(file)),
    });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const matrix = pretrainedEmbeddingMatrix(state, vocabulary, 7);
    expect(Array.from(matrix.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(matrix.subarray(8, 12))).toEqual(Array.from(Float32Array.from(vectorOf('good', 4))));
    const unknown = Array.from(matrix.subarray(20, 24));
    expect(unknown.some((v) => v !== 0) && unknown.every((v) => Math.abs(v) < 0.5)).toBe(true);
    expect(Array.from(pretrainedEmbeddingMatrix(state, vocabulary, 7))).toEqual(Array.from(matrix));
  });

  it('re-reads the file when the rows are not in memory, and refuses a changed file', async () => {
    const file = writeVectorsFile(['good', 'food'], 3);
    const state = await loadPretrainedVectors(glove(file), vocabulary);
    const cached = pretrainedEmbeddingMatrix(state, vocabulary, 1);
    clearPretrainedVectorCache();
    expect(Array.from(pretrainedEmbeddingMatrix(state, vocabulary, 1))).toEqual(Array.from(cached));
    clearPretrainedVectorCache();
    writeFileSync(file, 'good 1 2 3\n');
    const error = await caught(() => pretrainedEmbeddingMatrix(state, vocabulary, 1));
    expect(error.message).toMatch(/changed since the encoder was fitted/);
    // Gone (a bundle loaded elsewhere, whose weights replace these): random rows, no error.
    rmSync(file);
    expect(pretrainedEmbeddingMatrix(state, vocabulary, 1)).toHaveLength(18);
  });

  it('rejects vectors of another size than the dim option', async () => {
    const file = writeVectorsFile(['good'], 3);
    const error = await caught(() => loadPretrainedVectors(glove(file), vocabulary, 5));
    expect(error).toMatchObject({ code: ErrorCode.InvalidOptions, path: 'dim', expected: 5, found: 3 });
  });
});
