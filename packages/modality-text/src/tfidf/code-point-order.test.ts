import { describe, expect, it } from 'vitest';
import { compareCodePoints, sortByCodePoint } from './code-point-order.js';

describe('code-point order', () => {
  it('puts astral characters after U+E000–U+FFFF, as Python sorts str', () => {
    // UTF-16 order puts 😀 (U+1F600, surrogates D83D DE00) before U+E000 and ｆ (U+FF46).
    expect(['😀', 'ｆ', 'a', '\ue000', '𠀀', 'ab'].sort()).toEqual(['a', 'ab', '😀', '𠀀', '\ue000', 'ｆ']);
    expect(sortByCodePoint(['😀', 'ｆ', 'a', '\ue000', '𠀀', 'ab'])).toEqual([
      'a',
      'ab',
      '\ue000',
      'ｆ',
      '😀',
      '𠀀',
    ]);
  });

  it('compares prefixes and equal strings', () => {
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('abc', 'abc')).toBe(0);
    expect(compareCodePoints('b', 'a')).toBeGreaterThan(0);
    expect(sortByCodePoint(['b', 'a', 'c'])).toEqual(['a', 'b', 'c']);
  });
});
