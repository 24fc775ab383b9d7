import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { removeStopwords, stopwordLanguages, stopwordSet } from './stopwords.js';

describe('stop words', () => {
  it('accepts ISO 639-3 and ISO 639-1 codes alike', () => {
    const eng = stopwordSet(['eng']);
    expect(stopwordSet(['en'])).toEqual(eng);
    expect(stopwordSet(['EN-us'])).toEqual(eng);
    expect(eng.has('the')).toBe(true);
    expect(eng.has('movie')).toBe(false);
    expect(stopwordSet(['zh'])).toEqual(stopwordSet(['zho']));
    expect(stopwordSet(['pt-BR'])).toEqual(stopwordSet(['porBr']));
  });

  it('unites several languages', () => {
    const both = stopwordSet(['en', 'fr']);
    expect(both.has('the')).toBe(true);
    expect(both.has('les')).toBe(true);
    expect(both.size).toBeLessThanOrEqual(stopwordSet(['en']).size + stopwordSet(['fr']).size);
  });

  it('removes English stop words in order', () => {
    const tokens = ['the', 'food', 'was', 'not', 'good', 'at', 'all'];
    expect(removeStopwords(tokens, stopwordSet(['en']))).toEqual(['food', 'not', 'good']);
  });

  it('removes Chinese stop words', () => {
    // Tokens as the word tokenizer gives them for 我们的语言处理是很好的
    const tokens = ['我们', '的', '语言', '处理', '是', '很好', '的'];
    expect(removeStopwords(tokens, stopwordSet(['zh']))).toEqual(['我们', '语言', '处理', '很好']);
  });

  it('has Japanese and Thai lists', () => {
    expect(stopwordSet(['ja']).has('は')).toBe(true);
    expect(stopwordSet(['th']).has('ของ')).toBe(true);
  });

  it('names an unknown language and lists the available ones', () => {
    try {
      stopwordSet(['en', 'klingon']);
      expect.unreachable();
    } catch (error) {
      expect(OmnifuseError.isInstance(error)).toBe(true);
      const e = error as OmnifuseError;
      expect(e.code).toBe('E_OPTIONS');
      expect(e.found).toBe('klingon');
      expect(e.message).toContain('klingon');
      expect(e.details?.available).toEqual(stopwordLanguages());
      expect(stopwordLanguages()).toContain('eng');
      expect(stopwordLanguages()).toContain('en');
    }
  });
});
