import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { fitTfidf } from './fit-tfidf.js';
import { tfidfFromJSON } from './tfidf-model.js';

const DOCS = ['The cat sat on the mat.', 'The dog ate my homework!', 'A cat and a dog: friends?'];

describe('TfidfModel', () => {
  it('gives sklearn-shaped rows: sorted columns, unit L2 norm, dense equal to sparse', () => {
    const model = fitTfidf(DOCS);
    expect(model.terms).toEqual([
      'and',
      'ate',
      'cat',
      'dog',
      'friends',
      'homework',
      'mat',
      'my',
      'on',
      'sat',
      'the',
    ]);
    // sklearn: idf = ln(4 / (1 + df)) + 1
    expect(model.idf[model.indexOf('the')]).toBeCloseTo(Math.log(4 / 3) + 1, 15);
    const row = model.transform('the cat, THE mat and an unknown word');
    expect(Array.from(row.indices)).toEqual([0, 2, 6, 10]);
    expect(row.values.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 6);
    const dense = model.transformDense('the cat, THE mat and an unknown word');
    expect(dense.length).toBe(model.vocabularySize);
    row.indices.forEach((column, i) => {
      expect(dense[column]).toBe(row.values[i]);
    });
    expect(dense.filter((v) => v !== 0).length).toBe(4);
  });

  it('leaves a document without known terms as zeros', () => {
    const model = fitTfidf(DOCS);
    expect(model.transform('zebra 😀').indices.length).toBe(0);
    expect(model.transformDense('').every((v) => v === 0)).toBe(true);
  });

  it('round-trips through JSON and transforms identically', () => {
    const model = fitTfidf(DOCS, { ngramRange: [1, 2], sublinearTf: true, norm: 'l1', stopWords: 'english' });
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    const again = tfidfFromJSON(json);
    expect(again.terms).toEqual(model.terms);
    expect(Array.from(again.idf)).toEqual(Array.from(model.idf));
    expect(again.transformDense(DOCS[2]!)).toEqual(model.transformDense(DOCS[2]!));
    expect(again.toJSON()).toEqual(json);
  });

  it('rejects corrupt state with an OmnifuseError', () => {
    const json = fitTfidf(DOCS).toJSON();
    const corrupt = [
      null,
      { ...json, format: 'other' },
      { ...json, terms: [...json.terms].reverse() },
      { ...json, terms: [...json.terms, 'zzz'] },
      { ...json, idf: json.idf!.map(() => Number.NaN) },
      { ...json, idf: null },
      { ...json, options: { ...json.options, analyzer: 'sentence' } },
    ];
    for (const state of corrupt) {
      const error = (() => {
        try {
          tfidfFromJSON(state);
        } catch (e) {
          return e;
        }
      })();
      expect(OmnifuseError.isInstance(error), JSON.stringify(state)?.slice(0, 80)).toBe(true);
      expect((error as OmnifuseError).code).toBe(ErrorCode.InvalidInput);
    }
  });

  it('does without idf when useIdf is false', () => {
    const model = fitTfidf(DOCS, { useIdf: false, norm: null });
    expect(Array.from(model.idf).every((v) => v === 1)).toBe(true);
    expect(model.toJSON().idf).toBeNull();
    expect(model.transformDense('the the cat')[model.indexOf('the')]).toBe(2);
  });
});

describe('fitTfidf errors', () => {
  it('rejects non-string documents with E_INPUT naming the record', () => {
    expect(() => fitTfidf(['ok', 3 as unknown as string])).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput, record: 1, step: 'fit' }),
    );
    expect(() => fitTfidf('text' as unknown as string[])).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput }),
    );
    expect(() => fitTfidf(DOCS).transform(null as unknown as string)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput, step: 'transform' }),
    );
  });

  it("fails like sklearn's 'empty vocabulary' when every token is a stop word", () => {
    expect(() => fitTfidf(['the and of', 'it is a'], { stopWords: 'english' })).toThrow(
      expect.objectContaining({
        code: ErrorCode.InvalidInput,
        reason: expect.stringContaining('empty vocabulary'),
      }),
    );
    expect(() => fitTfidf([])).toThrow(
      expect.objectContaining({ reason: expect.stringContaining('empty vocabulary') }),
    );
  });

  it('rejects contradictory or over-strict document-frequency bounds', () => {
    expect(() => fitTfidf(DOCS, { minDf: 3, maxDf: 0.5 })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput, reason: expect.stringContaining('maxDf') }),
    );
    expect(() => fitTfidf(DOCS, { minDf: 3 })).toThrow(
      expect.objectContaining({ reason: expect.stringContaining('no terms remain') }),
    );
  });
});
