import type { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, limitLength, rawText } from './text-input.js';

function thrown(run: () => unknown): OmnifuseError {
  try {
    run();
  } catch (error) {
    return error as OmnifuseError;
  }
  throw new Error('expected an error');
}

describe('rawText', () => {
  it('decodes UTF-8 bytes and Buffers, dropping a BOM', () => {
    expect(rawText(new TextEncoder().encode('我爱 NLP'))).toBe('我爱 NLP');
    expect(rawText(Buffer.from('\uFEFFcafé', 'utf8'))).toBe('café');
  });

  it('reports invalid UTF-8 with the first bad byte offset', () => {
    const bytes = Uint8Array.from([0x61, 0x62, 0xc3, 0x28, 0x63]);
    const error = thrown(() => rawText(bytes, { record: 7, field: 'review' }));
    expect(error.code).toBe('E_INPUT');
    expect(error.details).toMatchObject({ problem: 'invalid-utf8', offset: 2 });
    expect(error.record).toBe(7);
    expect(error.field).toBe('review');
    expect(error.message).toContain('record 7');
  });

  it('finds the offset of overlong, surrogate and truncated sequences', () => {
    expect(firstInvalidUtf8(new TextEncoder().encode('ok 😀 ü'))).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xc0, 0x80]))).toBe(1); // overlong NUL
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0); // encoded surrogate
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0x42, 0xf0, 0x9f]))).toBe(2); // cut 4-byte sequence
    expect(firstInvalidUtf8(Uint8Array.from([0xff]))).toBe(0);
  });

  it('replaces lone surrogates by U+FFFD', () => {
    expect(rawText('a\uD83Db\uDE00c')).toBe('a\uFFFDb\uFFFDc');
    expect(rawText('ok 😀')).toBe('ok 😀');
  });

  it('rejects values that are not text, naming record, field and type', () => {
    for (const [value, type] of [
      [undefined, 'undefined'],
      [null, 'null'],
      [Number.NaN, 'NaN'],
      [42, 'number'],
      [{ text: 'x' }, 'object'],
      [['x'], 'array'],
      [new Uint16Array(2), 'Uint16Array'],
    ] as const) {
      const error = thrown(() => rawText(value, { record: 'r1', field: 'text' }));
      expect(error.code).toBe('E_INPUT');
      expect(error.expected).toBe('string');
      expect(error.found).toBe(type);
      expect(error.record).toBe('r1');
      expect(error.field).toBe('text');
      expect(error.details?.problem).toBe('not-text');
    }
  });
});

describe('limitLength', () => {
  it('leaves short text alone', () => {
    expect(limitLength('abc', 3, 'error')).toBe('abc');
    // Four UTF-16 units but two code points: not too long.
    expect(limitLength('😀😀', 2, 'error')).toBe('😀😀');
  });

  it('truncates at a code point boundary, never inside a surrogate pair', () => {
    expect(limitLength('abcdef', 4, 'truncate')).toBe('abcd');
    expect(limitLength('a😀b😀c', 2, 'truncate')).toBe('a😀');
    expect(limitLength('😀😀😀', 1, 'truncate')).toBe('😀');
  });

  it("raises too-long with 'error', giving the length in code points", () => {
    const error = thrown(() => limitLength('a😀bcd', 3, 'error', { record: 3, field: 'body' }));
    expect(error.code).toBe('E_INPUT');
    expect(error.details).toMatchObject({ problem: 'too-long', maxChars: 3 });
    expect(error.found).toBe(5);
    expect(error.field).toBe('body');
  });
});
