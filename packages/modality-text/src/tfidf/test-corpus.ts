import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDataPath } from '@omnifuse/test-utils';

/** The three labelled sentiment files, in the order the reference script reads them. */
export const SENTIMENT_FILES = ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt'];

/**
 * The sentences of ../shared/data/sentiment as `tfidf-reference.py` reads them: split on "\n"
 * only (imdb holds NEL, U+0085, which Python's `splitlines` would split on), "\r" and the header
 * dropped, the text before the last tab kept as it is (imdb's trailing spaces included).
 */
export function readSentimentSentences(): string[] {
  const sentences: string[] = [];
  for (const file of SENTIMENT_FILES) {
    const lines = readFileSync(sharedDataPath('sentiment', file), 'utf8').split('\n');
    for (const [i, raw] of lines.entries()) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (i === 0 || line === '') continue;
      sentences.push(line.slice(0, line.lastIndexOf('\t')));
    }
  }
  return sentences;
}

/** A fixture written by scripts/tfidf-reference.py. */
export function readTfidfFixture<T>(name: string): T {
  const file = path.resolve(import.meta.dirname, '../../test/fixtures', `tfidf-${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export interface CorpusFixture {
  sklearn: string;
  numpy: string;
  sentences: number;
  sha256: string;
  extra: string[];
  heldOut: string[];
  sample: number[];
}

export interface ReferenceRow {
  doc?: number;
  indices: number[];
  values: number[];
}

export interface ReferenceFixture {
  name: string;
  options: Record<string, unknown>;
  vocabularySize: number;
  vocabulary?: string;
  vocabularySha256?: string;
  sameVocabularyAs?: string;
  idfDistinct?: number[];
  idfIndex?: string;
  rows: ReferenceRow[];
  heldOutRows: ReferenceRow[];
}

/** The fixture's idf per term (stored as distinct values and two base-36 digits per term). */
export function referenceIdf(fixture: ReferenceFixture): number[] {
  const { idfDistinct, idfIndex } = fixture;
  if (!idfDistinct || idfIndex === undefined) throw new Error(`${fixture.name} has no idf`);
  const idf: number[] = [];
  for (let i = 0; i < idfIndex.length; i += 2)
    idf.push(idfDistinct[Number.parseInt(idfIndex.slice(i, i + 2), 36)]!);
  return idf;
}
