import { existsSync } from 'node:fs';
import { createRng, ErrorCode, hashSeed, hashValue, OmnifuseError } from '@omnifuse/core';
import { PAD_ID, type VocabularyJSON } from '../processing/index.js';
import type { WordVectorMatrix } from './parse-word-vectors.js';
import { readWordVectors, readWordVectorsSync } from './read-word-vectors.js';
import type { PretrainedVectorsOptions, PretrainedVectorsState } from './word-vector-options.js';

/*
 * Where the matrix lives. The fitted state must be JSON and is hashed into the feature-cache key,
 * so it keeps the file's path and sha256, not a 20k × 300 matrix. `fit` reads the file (async,
 * streamed) and leaves the vocabulary's rows here; `build`, which tfjs makes synchronous, takes them
 * from here. A miss (a fresh process building from a saved state) re-reads the file synchronously and
 * checks its sha256; when the file is gone (a bundle loaded on another machine, whose trained weights
 * replace the initial ones anyway) the rows start random. Keyed by file and vocabulary, a few entries.
 */
const matrices = new Map<string, WordVectorMatrix>();
const CACHED_MATRICES = 4;

function remember(key: string, matrix: WordVectorMatrix): void {
  matrices.delete(key);
  matrices.set(key, matrix);
  while (matrices.size > CACHED_MATRICES) matrices.delete(matrices.keys().next().value!);
}

/** Drops the word-vector rows `fit` kept for `build` (to free memory; `build` re-reads the file). */
export function clearPretrainedVectorCache(): void {
  matrices.clear();
}

function cacheKey(sha256: string, vocabulary: VocabularyJSON): string {
  return `${sha256}:${hashValue(vocabulary.tokens)}`;
}

/** Vocabulary rows a file may fill: every token except the specials. */
function rowLookup(vocabulary: VocabularyJSON): (word: string) => number {
  const specials = vocabulary.specials.cls === undefined ? 2 : 3;
  const rows = new Map<string, number>();
  vocabulary.tokens.forEach((token, id) => {
    if (id >= specials) rows.set(token, id);
  });
  return (word) => rows.get(word) ?? -1;
}

function wordCount(vocabulary: VocabularyJSON): number {
  return vocabulary.tokens.length - (vocabulary.specials.cls === undefined ? 2 : 3);
}

/**
 * Reads the vectors of a fitted vocabulary's words from a GloVe / word2vec text file and returns
 * what the encoder state keeps of them (path, sha256, size, coverage); the rows wait in memory for
 * `build`. `dim`, when given, must match the file's.
 */
export async function loadPretrainedVectors(
  options: PretrainedVectorsOptions,
  vocabulary: VocabularyJSON,
  dim?: number,
): Promise<PretrainedVectorsState> {
  const read = await readWordVectors({
    path: options.path,
    format: options.format,
    size: vocabulary.tokens.length,
    rowOf: rowLookup(vocabulary),
  });
  if (dim !== undefined && dim !== read.dim) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'the word vectors have another size than the embedding dim option',
      file: options.path,
      path: 'dim',
      expected: dim,
      found: read.dim,
    });
  }
  remember(cacheKey(read.sha256, vocabulary), read);
  const words = wordCount(vocabulary);
  return {
    path: options.path,
    format: options.format,
    trainable: options.trainable,
    sha256: read.sha256,
    dim: read.dim,
    found: read.foundCount,
    words,
    coverage: words === 0 ? 0 : read.foundCount / words,
  };
}

/**
 * The `[size, dim]` initial embedding matrix: the file's vectors; seeded small random vectors for
 * words the file lacks (and UNK, CLS), scaled to a tenth of the file vectors' RMS; zeros for PAD.
 */
export function pretrainedEmbeddingMatrix(
  state: PretrainedVectorsState,
  vocabulary: VocabularyJSON,
  seed: number,
): Float32Array {
  const size = vocabulary.tokens.length;
  const { dim } = state;
  const key = cacheKey(state.sha256, vocabulary);
  let source = matrices.get(key);
  if (!source && existsSync(state.path)) {
    const read = readWordVectorsSync({
      path: state.path,
      format: state.format,
      size,
      rowOf: rowLookup(vocabulary),
    });
    if (read.sha256 !== state.sha256 || read.dim !== dim) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: 'the word vectors file changed since the encoder was fitted; fit again',
        file: state.path,
        expected: `sha256 ${state.sha256}`,
        found: `sha256 ${read.sha256}`,
      });
    }
    remember(key, read);
    source = read;
  }
  const matrix = source ? source.matrix.slice() : new Float32Array(size * dim);
  const found = source?.found;
  const scale = 0.1 * rms(matrix, found, dim);
  for (let id = 0; id < size; id++) {
    if (id === PAD_ID || found?.[id] === 1) continue;
    const rng = createRng(hashSeed(`${seed}:${vocabulary.tokens[id]}`));
    for (let i = 0; i < dim; i++) matrix[id * dim + i] = scale * rng.normal();
  }
  matrix.fill(0, PAD_ID * dim, (PAD_ID + 1) * dim);
  return matrix;
}

function rms(matrix: Float32Array, found: Uint8Array | undefined, dim: number): number {
  let sum = 0;
  let count = 0;
  if (found) {
    for (let row = 0; row < found.length; row++) {
      if (found[row] !== 1) continue;
      for (let i = row * dim; i < (row + 1) * dim; i++) sum += matrix[i]! * matrix[i]!;
      count += dim;
    }
  }
  return count === 0 ? 0.5 : Math.sqrt(sum / count);
}
