import { ErrorCode } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { sklearnTokenize } from './analyzer.js';

// Expected values are what sklearn 1.2.1 (Python 3.11) gives for the same call.
describe('sklearnTokenize', () => {
  it('keeps runs of two or more Python word characters, lowercased', () => {
    expect(sklearnTokenize("I'm a Café-owner, x_y 42 7 __init__!")).toEqual([
      'café',
      'owner',
      'x_y',
      '42',
      '__init__',
    ]);
  });

  it('splits at combining marks, which are not \\w in Python', () => {
    expect(sklearnTokenize('Cafe\u0301 nai\u0308ve')).toEqual(['cafe', 'nai', 've']);
    expect(sklearnTokenize('नमस्ते')).toEqual(['नमस']);
  });

  it('counts length in code points and treats letters and numbers beyond ASCII as \\w', () => {
    // One astral letter is two UTF-16 units but a single Python character: no token.
    expect(sklearnTokenize('𝐀 𝐀𝐁 𠀀 𠀀𠀁 x² ½½ ①② 😍😍')).toEqual(['𝐀𝐁', '𠀀𠀁', 'x²', '½½', '①②']);
    expect(sklearnTokenize('这部电影非常好看，我很喜欢！')).toEqual(['这部电影非常好看', '我很喜欢']);
  });

  it('lowercases as Python str.lower (final sigma; İ becomes i + U+0307)', () => {
    expect(sklearnTokenize('ΟΔΟΣ İstanbul ǅemal')).toEqual(['οδος', 'stanbul', 'ǆemal']);
    expect(sklearnTokenize('ABC', { lowercase: false })).toEqual(['ABC']);
  });

  it('removes stop words before forming word n-grams', () => {
    expect(
      sklearnTokenize('the movie was not good at all', { stopWords: 'english', ngramRange: [1, 2] }),
    ).toEqual(['movie', 'good', 'movie good']);
    expect(sklearnTokenize('a great great film', { stopWords: ['film'], ngramRange: [2, 3] })).toEqual([
      'great great',
    ]);
  });

  it('pads each word for char_wb and splits on Python whitespace', () => {
    expect(sklearnTokenize('ab c', { analyzer: 'char_wb', ngramRange: [2, 3] })).toEqual([
      ' a',
      'ab',
      'b ',
      ' ab',
      'ab ',
      ' c',
      'c ',
      ' c ',
    ]);
    // U+001C is whitespace to Python (not to JavaScript's \s); U+FEFF is the reverse.
    expect(sklearnTokenize('a\x1cb\ufeffc', { analyzer: 'char_wb', ngramRange: [4, 4] })).toEqual([
      ' a ',
      ' b\ufeffc',
      'b\ufeffc ',
    ]);
  });

  it('collapses whitespace runs for char n-grams, counting code points', () => {
    expect(sklearnTokenize('a  😀\tb', { analyzer: 'char', ngramRange: [1, 2] })).toEqual([
      'a',
      ' ',
      '😀',
      '\t',
      'b',
      'a ',
      ' 😀',
      '😀\t',
      '\tb',
    ]);
  });

  it('rejects a non-string document and invalid options', () => {
    expect(() => sklearnTokenize(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput }),
    );
    expect(() => sklearnTokenize('x', { ngramRange: [3, 1] })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, path: 'ngramRange' }),
    );
  });
});
