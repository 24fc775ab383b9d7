import { ErrorCode } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { parseTfidfOptions } from './options.js';

describe('tfidfOptionsSchema', () => {
  it("defaults to sklearn's TfidfVectorizer defaults", () => {
    expect(parseTfidfOptions(undefined)).toEqual({
      lowercase: true,
      analyzer: 'word',
      ngramRange: [1, 1],
      stopWords: null,
      minDf: { count: 1 },
      maxDf: { proportion: 1 },
      maxFeatures: null,
      norm: 'l2',
      useIdf: true,
      smoothIdf: true,
      sublinearTf: false,
      binary: false,
    });
  });

  it('reads plain document frequencies as sklearn reads its ints and floats', () => {
    const read = (minDf: unknown, maxDf: unknown) => {
      const { minDf: min, maxDf: max } = parseTfidfOptions({ minDf, maxDf });
      return [min, max];
    };
    expect(read(1, 1)).toEqual([{ count: 1 }, { proportion: 1 }]);
    expect(read(2, 0.9)).toEqual([{ count: 2 }, { proportion: 0.9 }]);
    expect(read(0.01, 500)).toEqual([{ proportion: 0.01 }, { count: 500 }]);
    expect(read({ proportion: 1 }, { count: 1 })).toEqual([{ proportion: 1 }, { count: 1 }]);
    // Parsing the parsed options again changes nothing (they are stored in model JSON).
    const once = parseTfidfOptions({ minDf: 2, maxDf: 0.5, ngramRange: [1, 3] });
    expect(parseTfidfOptions(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('rejects invalid options with E_OPTIONS naming the option', () => {
    for (const [options, path] of [
      [{ minDf: 1.5 }, 'minDf'],
      [{ maxDf: -1 }, 'maxDf'],
      [{ ngramRange: [2, 1] }, 'ngramRange'],
      [{ norm: 'l3' }, 'norm'],
      [{ analyzer: 'sentence' }, 'analyzer'],
      [{ maxFeatures: 0 }, 'maxFeatures'],
      [{ stopWords: 'french' }, 'stopWords'],
      [{ tokenPattern: '\\w+' }, ''],
    ] as const) {
      expect(() => parseTfidfOptions(options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidOptions, path }),
      );
    }
  });
});
