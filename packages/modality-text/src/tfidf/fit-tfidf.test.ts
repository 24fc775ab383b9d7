import { createHash } from 'node:crypto';
import { describeWithData } from '@omnifuse/test-utils';
import { describe, expect, it } from 'vitest';
import { fitTfidf, fitTransformTfidf } from './fit-tfidf.js';
import type { TfidfOptionsInput } from './options.js';
import {
  type CorpusFixture,
  type ReferenceFixture,
  type ReferenceRow,
  readSentimentSentences,
  readTfidfFixture,
  referenceIdf,
} from './test-corpus.js';
import type { SparseRow } from './tfidf-model.js';

const OPTION_SETS = [
  'default',
  'bigrams-min-df2',
  'sublinear-l1',
  'max-features-stop-words',
  'char-wb-2-4',
  'char-binary-raw-idf',
];

/** Largest |ours - sklearn| over a row, after checking both have the same columns. */
function rowDifference(ours: SparseRow, reference: ReferenceRow, what: string): number {
  expect(Array.from(ours.indices), `${what} columns`).toEqual(reference.indices);
  let worst = 0;
  reference.values.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(ours.values[i]! - v));
  });
  return worst;
}

describeWithData(['sentiment'], 'fitTfidf against scikit-learn on the sentiment sentences', () => {
  const corpus = readTfidfFixture<CorpusFixture>('corpus');
  const sentences = readSentimentSentences();
  const documents = [...sentences, ...corpus.extra];

  it('reads the same 3,000 sentences as the reference script', () => {
    expect(sentences.length).toBe(corpus.sentences);
    expect(createHash('sha256').update(sentences.join('\n')).digest('hex')).toBe(corpus.sha256);
  });

  for (const name of OPTION_SETS) {
    describe(`${name} (sklearn ${corpus.sklearn})`, () => {
      const fixture = readTfidfFixture<ReferenceFixture>(name);
      const vocabularyFixture = fixture.sameVocabularyAs
        ? readTfidfFixture<ReferenceFixture>(fixture.sameVocabularyAs)
        : fixture;
      const model = fitTfidf(documents, fixture.options as TfidfOptionsInput);

      it('has the same vocabulary in the same order', () => {
        expect(model.vocabularySize).toBe(fixture.vocabularySize);
        const joined = model.terms.join('\n');
        if (vocabularyFixture.vocabularySha256) {
          expect(createHash('sha256').update(joined).digest('hex')).toBe(vocabularyFixture.vocabularySha256);
        } else {
          const expected = vocabularyFixture.vocabulary!.split('\n');
          const first = expected.findIndex((term, i) => model.terms[i] !== term);
          expect(first, `first differing term: ${model.terms[first]} vs ${expected[first]}`).toBe(-1);
        }
      });

      it('has the same idf within 1e-12', () => {
        const idf = referenceIdf(vocabularyFixture);
        expect(idf.length).toBe(model.vocabularySize);
        let worst = 0;
        idf.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(model.idf[i]! - v));
        });
        expect(worst).toBeLessThan(1e-12);
      });

      it('transforms the sampled documents to the same rows within 1e-6', () => {
        let worst = 0;
        for (const row of fixture.rows) {
          worst = Math.max(
            worst,
            rowDifference(model.transform(documents[row.doc!]!), row, `doc ${row.doc}`),
          );
        }
        expect(worst).toBeLessThan(1e-6);
      });

      it('transforms unseen documents to the same rows within 1e-6', () => {
        corpus.heldOut.forEach((doc, i) => {
          expect(rowDifference(model.transform(doc), fixture.heldOutRows[i]!, `held-out ${i}`)).toBeLessThan(
            1e-6,
          );
        });
      });
    });
  }
});

describe('fitTransformTfidf', () => {
  it('fits the same model and gives the rows transform gives, in one pass', () => {
    const docs = ['The cat sat on the mat.', 'The dog ate my homework!', 'A cat and a dog: friends?', ''];
    const optionSets: TfidfOptionsInput[] = [
      {},
      { ngramRange: [1, 2], minDf: 2, sublinearTf: true },
      { analyzer: 'char_wb' },
    ];
    for (const options of optionSets) {
      const { model, rows } = fitTransformTfidf(docs, options);
      expect(model.toJSON()).toEqual(fitTfidf(docs, options).toJSON());
      rows.forEach((row, i) => {
        expect(row).toEqual(model.transform(docs[i]!));
      });
    }
  });
});
