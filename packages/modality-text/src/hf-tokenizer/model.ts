import { isObject, type Json, malformed, type TokenizerSource } from './errors.js';

/** One token a model produced for a word. */
export interface ModelToken {
  readonly id: number;
  readonly token: string;
}

/** A tokenization model (WordPiece, BPE, WordLevel): one pre-tokenized word in, tokens out. */
export interface TokenModel {
  readonly vocab: ReadonlyMap<string, number>;
  tokenize(word: string): ModelToken[];
}

/** The model's `vocab` object as a map, checking that every id is an integer ≥ 0. */
export function readVocab(spec: Json, source: TokenizerSource, path: string): Map<string, number> {
  const vocab = spec.vocab;
  if (!isObject(vocab))
    malformed(source, `${path}.vocab`, 'vocab is an object of token → id', '{ token: id }', vocab);
  const map = new Map<string, number>();
  for (const [token, id] of Object.entries(vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
      malformed(
        source,
        `${path}.vocab`,
        `the id of ${JSON.stringify(token)} is not an integer ≥ 0`,
        'an id',
        id,
      );
    map.set(token, id);
  }
  return map;
}

/** The id of the unknown token, which must be in the vocabulary when the model names one. */
export function unkId(
  vocab: ReadonlyMap<string, number>,
  unk: string | null,
  source: TokenizerSource,
  path: string,
): number | null {
  if (unk === null) return null;
  const id = vocab.get(unk);
  if (id === undefined)
    malformed(
      source,
      `${path}.unk_token`,
      `the unknown token ${JSON.stringify(unk)} is not in the vocab`,
      'a vocab token',
      unk,
    );
  return id;
}
