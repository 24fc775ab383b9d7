import { describe, expect, it } from 'vitest';
import { createTokenizer } from './create-tokenizer.js';

describe('char n-gram tokenizer', () => {
  it("matches scikit-learn's char_wb, including short words", () => {
    // sklearn: CountVectorizer(analyzer='char_wb', ngram_range=(2, 4)).build_analyzer()('a cat')
    expect(createTokenizer({ kind: 'char-ngrams' }).tokenize('a cat')).toEqual([
      ' a',
      'a ',
      ' a ',
      ' c',
      'ca',
      'at',
      't ',
      ' ca',
      'cat',
      'at ',
      ' cat',
      'cat ',
    ]);
  });

  it("matches scikit-learn's char analyzer, collapsing whitespace runs", () => {
    // sklearn: CountVectorizer(analyzer='char', ngram_range=(1, 2)).build_analyzer()('ab  c')
    const tokenizer = createTokenizer({ kind: 'char-ngrams', min: 1, max: 2, withinWords: false });
    expect(tokenizer.tokenize('ab  c')).toEqual(['a', 'b', ' ', 'c', 'ab', 'b ', ' c']);
  });

  it('counts code points, so astral characters are never split', () => {
    const tokenizer = createTokenizer({ kind: 'char-ngrams', min: 2, max: 2, withinWords: false });
    expect(tokenizer.tokenize('😀a𝒳')).toEqual(['😀a', 'a𝒳']);
  });

  it('emits placeholder tokens whole', () => {
    const tokenizer = createTokenizer({ kind: 'char-ngrams', min: 3, max: 3 }, { keep: ['<url>'] });
    expect(tokenizer.tokenize('go <url>')).toEqual([' go', 'go ', '<url>']);
  });

  it('gives nothing for blank text', () => {
    expect(createTokenizer({ kind: 'char-ngrams' }).tokenize(' \n ')).toEqual([]);
  });
});
