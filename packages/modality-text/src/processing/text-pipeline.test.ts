import { readFileSync } from 'node:fs';
import { OmnifuseError } from '@omnifuse/core';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { describe, expect, it } from 'vitest';
import { createTextPipeline } from './text-pipeline.js';

/** Sentences of a sentiment file: TSV `sentence<TAB>score`, a header line, CRLF line ends. */
function sentences(file: string): string[] {
  const lines = readFileSync(sharedDataPath('sentiment', file), 'utf8').split(/\r?\n/);
  expect(lines[0]).toBe('sentence\tscore');
  return lines
    .slice(1)
    .filter((line) => line.length > 0)
    .map((line) => line.slice(0, line.lastIndexOf('\t')));
}

describe('createTextPipeline', () => {
  it('fills in every default', () => {
    expect(createTextPipeline().config).toEqual({
      normalize: {
        form: 'NFKC',
        lowercase: true,
        stripAccents: false,
        placeholders: { url: false, email: false, number: false },
      },
      tokenizer: { kind: 'word' },
      stopwords: false,
      maxChars: 100_000,
      overLength: 'truncate',
    });
  });

  it('normalises, tokenises and drops stop words', () => {
    const pipeline = createTextPipeline({
      normalize: { placeholders: { url: '<url>', number: '<num>' } },
      stopwords: ['en'],
    });
    expect(pipeline.tokens('The site http://x.com/a, is the BEST of 2024!')).toEqual([
      'site',
      '<url>',
      'best',
      '<num>',
    ]);
  });

  it('drops Chinese stop words after segmentation', () => {
    const pipeline = createTextPipeline({ stopwords: ['zh', 'en'] });
    expect(pipeline.tokens('我们的语言处理是很好的 and the NLP')).toEqual([
      '我们',
      '语言',
      '处理',
      '很好',
      'nlp',
    ]);
  });

  it('normalises stop words like the tokens, and matches them caselessly when case is kept', () => {
    const pipeline = createTextPipeline({ normalize: { lowercase: false }, stopwords: ['en'] });
    expect(pipeline.tokens('The Food was GOOD')).toEqual(['Food', 'GOOD']);
    const accents = createTextPipeline({ normalize: { stripAccents: true }, stopwords: ['fr'] });
    // "été" is in the French list; stripped on both sides it still matches.
    expect(accents.tokens('Il a été là')).not.toContain('ete');
  });

  it('segments Thai and drops Thai stop words under the default NFKC', () => {
    expect(createTextPipeline().tokens('ฉันดื่มน้ำและทำงานที่กรุงเทพฯ')).toEqual([
      'ฉัน',
      'ดื่ม',
      'น้ำ',
      'และ',
      'ทำงาน',
      'ที่',
      'กรุงเทพฯ',
    ]);
    expect(createTextPipeline({ stopwords: ['th'] }).tokens('ฉันดื่มน้ำและทำงานที่กรุงเทพฯ')).toEqual([
      'ฉัน',
      'ดื่ม',
      'น้ำ',
      'ทำงาน',
      'กรุงเทพฯ',
    ]);
  });

  it('gives zero tokens for text that is empty after processing', () => {
    const pipeline = createTextPipeline({ stopwords: ['en'] });
    expect(pipeline.tokens('')).toEqual([]);
    expect(pipeline.tokens('   \n')).toEqual([]);
    expect(pipeline.tokens('?!... —')).toEqual([]);
    expect(pipeline.tokens('and the of')).toEqual([]);
  });

  it('reads UTF-8 bytes and rejects invalid ones naming the record and field', () => {
    const pipeline = createTextPipeline();
    expect(pipeline.tokens(Buffer.from('Café Crème'))).toEqual(['café', 'crème']);
    try {
      pipeline.tokens(Uint8Array.from([0x68, 0x69, 0x20, 0xe2, 0x82]), { record: 12, field: 'review' });
      expect.unreachable();
    } catch (error) {
      expect(OmnifuseError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'E_INPUT',
        record: 12,
        field: 'review',
        details: { problem: 'invalid-utf8', offset: 3 },
      });
    }
  });

  it('rejects non-text values as E_INPUT naming the record and field', () => {
    const pipeline = createTextPipeline();
    for (const value of [undefined, Number.NaN, 3, { a: 1 }]) {
      expect(() => pipeline.tokens(value, { record: 'r9', field: 'title' })).toThrow(
        expect.objectContaining({ code: 'E_INPUT', record: 'r9', field: 'title', expected: 'string' }),
      );
    }
  });

  it('replaces lone surrogates', () => {
    expect(createTextPipeline({ tokenizer: { kind: 'whitespace' } }).tokens('ab\uD800 cd')).toEqual([
      'ab\uFFFD',
      'cd',
    ]);
  });

  it('truncates or rejects over-long text', () => {
    const truncating = createTextPipeline({ maxChars: 11 });
    expect(truncating.tokens('one two three four')).toEqual(['one', 'two', 'thr']);
    const strict = createTextPipeline({ maxChars: 11, overLength: 'error' });
    expect(() => strict.tokens('one two three four', { record: 1, field: 'body' })).toThrow(
      expect.objectContaining({
        code: 'E_INPUT',
        found: 18,
        details: expect.objectContaining({ problem: 'too-long' }),
      }),
    );
  });

  it('rejects options that cannot work together', () => {
    expect(() => createTextPipeline({ tokenizer: { kind: 'tiktoken' }, stopwords: ['en'] })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS', path: 'stopwords' }),
    );
    expect(() => createTextPipeline({ stopwords: ['xx-unknown'] })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS', found: 'xx-unknown' }),
    );
    expect(() => createTextPipeline({ maxChars: 0 })).toThrow(expect.objectContaining({ path: 'maxChars' }));
  });
});

describeWithData(['sentiment'], 'text pipeline on the sentiment sentences', () => {
  const yelp = sentences('yelp_labelled.txt');
  const amazon = sentences('amazon_cells_labelled.txt');
  const imdb = sentences('imdb_labelled.txt');

  it('reads 1,000 sentences per file, without the header', () => {
    expect([yelp.length, amazon.length, imdb.length]).toEqual([1000, 1000, 1000]);
    expect(yelp[0]).toBe('Wow... Loved this place.');
  });

  it('tokenises known sentences', () => {
    const pipeline = createTextPipeline();
    expect(pipeline.tokens(yelp[0])).toEqual(['wow', 'loved', 'this', 'place']);
    expect(pipeline.tokens(imdb[0])).toEqual([
      'a',
      'very',
      'very',
      'very',
      'slow-moving',
      'aimless',
      'movie',
      'about',
      'a',
      'distressed',
      'drifting',
      'young',
      'man',
    ]);
    expect(createTextPipeline({ stopwords: ['en'] }).tokens(yelp[0])).toEqual(['wow', 'loved', 'place']);
  });

  it('gives clean word tokens for every sentence', () => {
    const pipeline = createTextPipeline();
    let total = 0;
    for (const sentence of [...yelp, ...amazon, ...imdb]) {
      const tokens = pipeline.tokens(sentence);
      total += tokens.length;
      for (const token of tokens) {
        expect(token, sentence).toMatch(/^[\p{L}\p{M}\p{N}]+(?:['’\-‐‑][\p{L}\p{M}\p{N}]+)*$/u);
        expect(token, sentence).toBe(token.toLowerCase());
      }
    }
    // About 11–13 words per review sentence.
    expect(total).toBeGreaterThan(30_000);
    expect(total).toBeLessThan(45_000);
  });

  it('stop word removal shortens the corpus but keeps content words', () => {
    const plain = createTextPipeline();
    const filtered = createTextPipeline({ stopwords: ['en'] });
    const all = yelp.flatMap((s) => plain.tokens(s));
    const kept = yelp.flatMap((s) => filtered.tokens(s));
    expect(kept.length).toBeLessThan(all.length * 0.75);
    expect(kept).toContain('food');
    expect(kept).not.toContain('the');
  });

  it('char n-grams and tiktoken ids cover every sentence', () => {
    const ngrams = createTextPipeline({ tokenizer: { kind: 'char-ngrams', min: 3, max: 3 } });
    expect(ngrams.tokens('Crust is not good.')).toContain(' crus'.slice(0, 3));
    const bpe = createTextPipeline({ tokenizer: { kind: 'tiktoken' }, normalize: { lowercase: false } });
    for (const sentence of amazon) expect(bpe.tokens(sentence).every((id) => /^\d+$/.test(id))).toBe(true);
  });
});
