import { describe, expect, it } from 'vitest';
import {
  COMPANY_STOP_WORDS,
  jaro,
  jaroWinkler,
  levenshtein,
  levenshteinSimilarity,
  matchRecords,
  normalizeKey,
} from './index.js';

describe('jaroWinkler', () => {
  // Published values: Winkler (1990) / Wikipedia "Jaro–Winkler distance", rounded to 3 places.
  it.each([
    ['MARTHA', 'MARHTA', 0.944, 0.961],
    ['DWAYNE', 'DUANE', 0.822, 0.84],
    ['DIXON', 'DICKSONX', 0.767, 0.813],
  ])('%s / %s', (a, b, j, jw) => {
    expect(jaro(a, b)).toBeCloseTo(j, 3);
    expect(jaroWinkler(a, b)).toBeCloseTo(jw, 3);
    expect(jaroWinkler(b, a)).toBeCloseTo(jw, 3);
  });

  it('handles identical, disjoint and empty strings', () => {
    expect(jaroWinkler('abc', 'abc')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', '')).toBe(1);
    expect(jaroWinkler('', 'a')).toBe(0);
  });

  it('honours prefixScale and maxPrefix, and refuses a scale that could exceed 1', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA', { prefixScale: 0 })).toBeCloseTo(jaro('MARTHA', 'MARHTA'), 12);
    // prefix MAR (3) capped at 2: 0.944 + 2·0.1·0.056
    expect(jaroWinkler('MARTHA', 'MARHTA', { maxPrefix: 2 })).toBeCloseTo(0.9444 + 0.2 * (1 - 0.9444), 3);
    expect(() => jaroWinkler('a', 'b', { prefixScale: 0.3 })).toThrow(/prefixScale/);
  });
});

describe('levenshtein', () => {
  it('counts edits and normalises by the longer string', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshteinSimilarity('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 12);
    expect(levenshteinSimilarity('', '')).toBe(1);
  });
});

describe('normalizeKey', () => {
  it('folds accents, case, punctuation and whitespace', () => {
    expect(normalizeKey('  Café-Müller, Inc. ')).toBe('cafe muller inc');
    expect(normalizeKey('ＡＣＭＥ　Ltd')).toBe('acme ltd');
    expect(normalizeKey("O'Neil S.A. 3.5")).toBe('oneil sa 3 5');
  });
  it('drops stop words', () => {
    expect(normalizeKey('The Acme Corp.', { stopWords: COMPANY_STOP_WORDS })).toBe('acme');
  });
});

describe('matchRecords', () => {
  const left = [
    { id: 1, name: 'Acme Corporation' },
    { id: 2, name: 'Globex Inc' },
    { id: 3, name: 'Initech' },
    { id: 4, name: null },
  ];
  const right = [
    { ref: 'a', name: 'ACME Corp.' },
    { ref: 'b', name: 'Initech LLC' },
    { ref: 'c', name: 'Umbrella' },
    { ref: 'd', name: 'Globex, Inc.' },
  ];

  it('matches one-to-one by best score and lists the rest', () => {
    const result = matchRecords(left, right, {
      key: 'name',
      method: 'jaro-winkler',
      threshold: 0.85,
      stopWords: [...COMPANY_STOP_WORDS],
    });
    expect(result.matches.map((m) => [m.left.id, m.right.ref])).toEqual([
      [1, 'a'],
      [2, 'd'],
      [3, 'b'],
    ]);
    expect(result.unmatchedLeft.map((r) => r.id)).toEqual([4]);
    expect(result.unmatchedRight.map((r) => r.ref)).toEqual(['c']);
    expect(result.report.missingKeyLeft).toBe(1);
  });

  it('exact matching needs equal normalised keys', () => {
    const result = matchRecords(left, right, { key: 'name', method: 'exact' });
    expect(result.matches.map((m) => m.left.id)).toEqual([2]);
  });

  it('reports ties as ambiguous instead of guessing', () => {
    const l = [{ name: 'Jon Smith' }];
    const r = [
      { name: 'John Smith', city: 'Leeds' },
      { name: 'John Smith', city: 'York' },
    ];
    const result = matchRecords(l, r, { key: 'name', threshold: 0.8 });
    expect(result.matches).toEqual([]);
    expect(result.ambiguous).toHaveLength(1);
    expect(result.ambiguous[0]!.candidates.map((c) => c.right.city)).toEqual(['Leeds', 'York']);
    expect(result.unmatchedLeft).toEqual([]);
    const reverse = matchRecords(r, l, { key: 'name', threshold: 0.8 });
    expect(reverse.ambiguousRight).toHaveLength(1);
    expect(reverse.matches).toEqual([]);
  });

  it('a better exact pair takes its partner first, leaving no tie', () => {
    const l = [{ name: 'acme' }, { name: 'acme co' }];
    const r = [{ name: 'acme co' }, { name: 'acme cx' }];
    const result = matchRecords(l, r, { key: 'name', method: 'levenshtein', threshold: 0.5 });
    expect(result.matches.map((m) => [m.leftIndex, m.rightIndex])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it('compares only within blocks and supports several key fields', () => {
    const l = [
      { city: 'Oslo', street: 'Main St' },
      { city: 'Bergen', street: 'Main St' },
    ];
    const r = [{ city: 'Bergen', street: 'Main Street' }];
    const result = matchRecords(l, r, { key: ['street'], blocking: (x) => String(x.city), threshold: 0.8 });
    expect(result.report.comparisons).toBe(1);
    expect(result.matches.map((m) => m.leftIndex)).toEqual([1]);
  });

  it('refuses unknown methods with an options error', () => {
    expect(() => matchRecords(left, right, { key: 'name', method: 'soundex' as never })).toThrow(/method/);
  });
});
