import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createTokenizer } from './create-tokenizer.js';
import { tiktokenEncoder } from './tiktoken-tokenizer.js';

describe('tiktoken tokenizer', () => {
  it('gives cl100k_base ids as decimal strings by default', () => {
    const started = performance.now();
    const tokenizer = createTokenizer({ kind: 'tiktoken' });
    // Informational only: rank loading time on this machine (no timed assertion).
    console.info(`cl100k_base loaded in ${(performance.now() - started).toFixed(0)} ms`);
    expect(tokenizer.kind).toBe('tiktoken');
    expect(tokenizer.tokenize('hello world')).toEqual(['15339', '1917']);
    expect(tokenizer.tokenize('')).toEqual([]);
  });

  it('round-trips text through the ids', () => {
    const tokenizer = createTokenizer({ kind: 'tiktoken', encoding: 'cl100k_base' });
    const text = 'Tokenise 我爱自然语言处理 and ภาษาไทย — émoji 😀!';
    const ids = tokenizer.tokenize(text).map(Number);
    expect(tiktokenEncoder('cl100k_base').decode(ids)).toBe(text);
  });

  it('uses the requested encoding and shares its tables', () => {
    expect(createTokenizer({ kind: 'tiktoken', encoding: 'gpt2' }).tokenize('hello world')).toEqual([
      '31373',
      '995',
    ]);
    expect(tiktokenEncoder('gpt2')).toBe(tiktokenEncoder('gpt2'));
  });

  it('encodes special-token text as ordinary text', () => {
    const ids = createTokenizer({ kind: 'tiktoken' }).tokenize('<|endoftext|>');
    expect(ids).not.toContain('100257');
    expect(tiktokenEncoder('cl100k_base').decode(ids.map(Number))).toBe('<|endoftext|>');
  });

  it('keeps placeholders as one token between the ids', () => {
    const tokenizer = createTokenizer({ kind: 'tiktoken' }, { keep: ['<url>'] });
    expect(tokenizer.tokenize('hello world<url>')).toEqual(['15339', '1917', '<url>']);
  });

  it('loads only the rank files of the encodings asked for', () => {
    createTokenizer({ kind: 'tiktoken', encoding: 'cl100k_base' });
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) =>
      /ranks[\\/]/.test(file),
    );
    expect(loaded.some((file) => file.includes('cl100k_base'))).toBe(true);
    expect(loaded.some((file) => file.includes('o200k_base'))).toBe(false);
  });
});
