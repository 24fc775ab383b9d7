import { readFileSync } from 'node:fs';
import type { OmnifuseError } from '@omnifuse/core';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { describe, expect, it } from 'vitest';
import { createTextPipeline } from './text-pipeline.js';
import { fitVocabulary, PAD_ID, UNK_ID, type VocabularyJSON, vocabularyFromJSON } from './vocabulary.js';

const docs = [
  ['b', 'a', 'c', 'a'],
  ['c', 'b', 'd'],
  ['e', 'a'],
];

describe('fitVocabulary', () => {
  it('orders specials, then count desc, then code point', () => {
    const vocab = fitVocabulary(docs);
    // a:3, b:2, c:2, d:1, e:1
    expect(vocab.toJSON()).toEqual({
      tokens: ['[PAD]', '[UNK]', 'a', 'b', 'c', 'd', 'e'],
      specials: { pad: '[PAD]', unk: '[UNK]' },
    });
    expect(vocab.size).toBe(7);
    expect(vocab.clsId).toBeNull();
    expect([PAD_ID, UNK_ID]).toEqual([0, 1]);
  });

  it('breaks ties by code point, not UTF-16 unit', () => {
    // U+FF21 (Ａ) sorts before U+1F600 (😀) by code point but after it by UTF-16 unit.
    const vocab = fitVocabulary([['😀', '\uFF21', 'z']]);
    expect(vocab.toJSON().tokens.slice(2)).toEqual(['z', '\uFF21', '😀']);
  });

  it('applies minCount and maxSize (specials included)', () => {
    expect(fitVocabulary(docs, { minCount: 2 }).toJSON().tokens).toEqual(['[PAD]', '[UNK]', 'a', 'b', 'c']);
    expect(fitVocabulary(docs, { maxSize: 4 }).toJSON().tokens).toEqual(['[PAD]', '[UNK]', 'a', 'b']);
    expect(fitVocabulary(docs, { maxSize: 4, cls: true }).toJSON().tokens).toEqual([
      '[PAD]',
      '[UNK]',
      '[CLS]',
      'a',
    ]);
    expect(() => fitVocabulary(docs, { maxSize: 1 })).toThrow(expect.objectContaining({ code: 'E_OPTIONS' }));
    expect(() => fitVocabulary(docs, { minCount: 0 })).toThrow(expect.objectContaining({ path: 'minCount' }));
  });

  it('maps unknown tokens to UNK and ids back to tokens', () => {
    const vocab = fitVocabulary(docs);
    expect(vocab.id('a')).toBe(2);
    expect(vocab.id('zzz')).toBe(UNK_ID);
    expect(vocab.token(3)).toBe('b');
    expect(() => vocab.token(99)).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
  });

  it('does not add a token spelled like a special twice', () => {
    expect(fitVocabulary([['[UNK]', 'x']]).toJSON().tokens).toEqual(['[PAD]', '[UNK]', 'x']);
  });
});

describe('Vocabulary.encode', () => {
  const vocab = fitVocabulary(docs);
  const withCls = fitVocabulary(docs, { cls: true });

  it('pads with PAD_ID', () => {
    const { ids, length } = vocab.encode(['a', 'zzz', 'e'], 5);
    expect(Array.from(ids)).toEqual([2, UNK_ID, 6, PAD_ID, PAD_ID]);
    expect(length).toBe(3);
    expect(ids).toBeInstanceOf(Int32Array);
  });

  it('gives an all-PAD sequence for no tokens', () => {
    expect(vocab.encode([], 3)).toEqual({ ids: new Int32Array(3), length: 0 });
  });

  it("truncates at the end by default, or at the start with 'start'", () => {
    expect(Array.from(vocab.encode(['a', 'b', 'c', 'd'], 2).ids)).toEqual([2, 3]);
    expect(Array.from(vocab.encode(['a', 'b', 'c', 'd'], 2, { truncate: 'start' }).ids)).toEqual([4, 5]);
  });

  it('puts CLS first unless addCls is false', () => {
    expect(withCls.clsId).toBe(2);
    const first = withCls.encode(['a', 'b', 'c'], 3);
    expect(Array.from(first.ids)).toEqual([2, 3, 4]);
    expect(first.length).toBe(3);
    expect(Array.from(withCls.encode(['a', 'b', 'c'], 3, { truncate: 'start' }).ids)).toEqual([2, 4, 5]);
    expect(Array.from(withCls.encode(['a'], 3, { addCls: false }).ids)).toEqual([3, 0, 0]);
    expect(withCls.encode([], 2)).toEqual({ ids: Int32Array.from([2, 0]), length: 1 });
  });

  it('rejects a bad maxLength', () => {
    expect(() => vocab.encode(['a'], 0)).toThrow(expect.objectContaining({ code: 'E_OPTIONS' }));
  });
});

describe('vocabularyFromJSON', () => {
  it('round-trips through JSON text', () => {
    const vocab = fitVocabulary(docs, { cls: true });
    const back = vocabularyFromJSON(JSON.parse(JSON.stringify(vocab)));
    expect(back.toJSON()).toEqual(vocab.toJSON());
    expect(back.clsId).toBe(2);
    expect(back.encode(['e', 'q'], 4)).toEqual(vocab.encode(['e', 'q'], 4));
  });

  it('rejects corrupt JSON as OmnifuseError', () => {
    const cases: unknown[] = [
      null,
      { tokens: 'abc', specials: { pad: '[PAD]', unk: '[UNK]' } },
      { tokens: ['[PAD]', '[UNK]', 3], specials: { pad: '[PAD]', unk: '[UNK]' } },
      { tokens: ['[UNK]', '[PAD]', 'a'], specials: { pad: '[PAD]', unk: '[UNK]' } },
      { tokens: ['[PAD]', '[UNK]', 'a'], specials: { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]' } },
      { tokens: ['[PAD]', '[UNK]', 'a', 'a'], specials: { pad: '[PAD]', unk: '[UNK]' } },
      { tokens: ['[PAD]', '[UNK]'] },
    ];
    for (const json of cases) {
      let error: OmnifuseError | undefined;
      try {
        vocabularyFromJSON(json as VocabularyJSON);
      } catch (e) {
        error = e as OmnifuseError;
      }
      expect(error?.code, JSON.stringify(json)).toBe('E_INPUT');
    }
  });
});

describeWithData(['sentiment'], 'vocabulary of the yelp sentences', () => {
  const lines = readFileSync(sharedDataPath('sentiment', 'yelp_labelled.txt'), 'utf8').split(/\r?\n/);
  const pipeline = createTextPipeline();
  const documents = lines
    .slice(1)
    .filter((line) => line.length > 0)
    .map((line) => pipeline.tokens(line.slice(0, line.lastIndexOf('\t'))));

  it('is deterministic and ranks frequent words first', () => {
    const a = fitVocabulary(documents, { maxSize: 500 });
    const b = fitVocabulary([...documents].reverse(), { maxSize: 500 });
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.size).toBe(500);
    expect(a.token(2)).toBe('the');
    expect(a.id('food')).toBeLessThan(50);
  });

  it('drops rare words with minCount', () => {
    const all = fitVocabulary(documents);
    const frequent = fitVocabulary(documents, { minCount: 5 });
    expect(frequent.size).toBeLessThan(all.size / 3);
    // Every kept word occurs at least 5 times.
    const counts = new Map<string, number>();
    for (const doc of documents) for (const t of doc) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const token of frequent.toJSON().tokens.slice(2))
      expect(counts.get(token)).toBeGreaterThanOrEqual(5);
  });
});
