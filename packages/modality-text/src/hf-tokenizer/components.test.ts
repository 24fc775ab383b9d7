import { ErrorCode } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { buildNormalizer } from './normalizers.js';
import { buildPostProcessor } from './post-processors.js';
import { buildPreTokenizer, type Piece } from './pre-tokenizers.js';
import { charMatches, splitSpans } from './split.js';

const source = { file: 'test/tokenizer.json' };
const normalize = (json: unknown, text: string) => buildNormalizer(json, source)!(text);
const preTokenize = (json: unknown, text: string) =>
  buildPreTokenizer(json, source)!([{ text, first: true }]).map((p: Piece) => p.text);

describe('normalizers', () => {
  it('implements the simple ones', () => {
    expect(normalize({ type: 'Lowercase' }, 'ΟΔΟΣ İ')).toBe('οδοσ i̇'); // per character: no final ς
    expect(normalize({ type: 'NFKC' }, 'ﬁ①')).toBe('fi1');
    expect(normalize({ type: 'StripAccents' }, 'e\u0301')).toBe('e');
    expect(normalize({ type: 'StripAccents' }, 'é')).toBe('é'); // precomposed: needs NFD first
    expect(normalize({ type: 'Strip', strip_left: true, strip_right: false }, '  a  ')).toBe('a  ');
    expect(normalize({ type: 'Prepend', prepend: '▁' }, 'a')).toBe('▁a');
    expect(normalize({ type: 'Prepend', prepend: '▁' }, '')).toBe('');
    expect(normalize({ type: 'Replace', pattern: { String: ' ' }, content: '▁' }, 'a b c')).toBe('a▁b▁c');
    expect(normalize({ type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, 'a \u3000b')).toBe('a b');
    expect(
      normalize(
        { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] },
        'Çà',
      ),
    ).toBe('ca');
  });

  it('refuses a regex JavaScript cannot run the same way', () => {
    expect(() =>
      buildNormalizer({ type: 'Replace', pattern: { Regex: '(?i)a' }, content: '' }, source),
    ).toThrow(expect.objectContaining({ code: ErrorCode.InvalidOptions, path: 'normalizer.pattern.Regex' }));
  });
});

describe('pre-tokenizers', () => {
  it('splits like the tokenizers library', () => {
    expect(preTokenize({ type: 'Whitespace' }, 'Hey man!  日本語?!')).toEqual([
      'Hey',
      'man',
      '!',
      '日本語',
      '?!',
    ]);
    expect(preTokenize({ type: 'WhitespaceSplit' }, 'Hey, man!')).toEqual(['Hey,', 'man!']);
    expect(preTokenize({ type: 'BertPreTokenizer' }, 'Hey friend!  How?!')).toEqual([
      'Hey',
      'friend',
      '!',
      'How',
      '?',
      '!',
    ]);
    expect(preTokenize({ type: 'Digits', individual_digits: false }, 'a123b')).toEqual(['a', '123', 'b']);
    expect(preTokenize({ type: 'Digits', individual_digits: true }, 'a12')).toEqual(['a', '1', '2']);
    expect(preTokenize({ type: 'Punctuation', behavior: 'MergedWithPrevious' }, 'hi!! you')).toEqual([
      'hi!',
      '!',
      ' you',
    ]);
    expect(
      preTokenize({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }, 'Hey  you'),
    ).toEqual(['▁Hey', '▁', '▁you']);
    expect(preTokenize({ type: 'Metaspace', replacement: '▁', add_prefix_space: false }, 'a b')).toEqual([
      'a',
      '▁b',
    ]);
    expect(
      preTokenize(
        { type: 'Split', pattern: { String: '-' }, behavior: 'MergedWithNext', invert: false },
        'a-b-c',
      ),
    ).toEqual(['a', '-b', '-c']);
    expect(
      preTokenize(
        { type: 'Split', pattern: { Regex: '\\d+' }, behavior: 'Removed', invert: true },
        'ab12cd345',
      ),
    ).toEqual(['12', '345']);
    expect(
      preTokenize(
        {
          type: 'Sequence',
          pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Digits', individual_digits: true }],
        },
        'x1 y',
      ),
    ).toEqual(['x', '1', 'y']);
  });

  it('prepends Metaspace only to the first piece with prepend_scheme "first"', () => {
    const pre = buildPreTokenizer(
      { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false },
      source,
    )!;
    expect(
      pre([
        { text: 'a', first: true },
        { text: 'b', first: false },
      ]).map((p) => p.text),
    ).toEqual(['▁a', 'b']);
  });

  it('splits with each delimiter behavior', () => {
    const text = 'a..b.';
    const spans = charMatches(text, (c) => c === '.');
    expect(splitSpans(text, spans, 'Removed')).toEqual(['a', 'b']);
    expect(splitSpans(text, spans, 'Isolated')).toEqual(['a', '.', '.', 'b', '.']);
    expect(splitSpans(text, spans, 'Contiguous')).toEqual(['a', '..', 'b', '.']);
    expect(splitSpans(text, spans, 'MergedWithPrevious')).toEqual(['a.', '.', 'b.']);
    expect(splitSpans(text, spans, 'MergedWithNext')).toEqual(['a', '.', '.b', '.']);
  });
});

describe('post-processors', () => {
  const a = { ids: [7, 8], tokens: ['x', 'y'], typeIds: [0, 0] };
  const b = { ids: [9], tokens: ['z'], typeIds: [1] };

  it('BertProcessing adds [CLS] A [SEP] B [SEP] with type ids 0 then 1', () => {
    const bert = buildPostProcessor(
      { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] },
      source,
    );
    expect(bert.addedTokens(true)).toBe(3);
    expect(bert.process(a, b, true)).toEqual({
      ids: [101, 7, 8, 102, 9, 102],
      tokens: ['[CLS]', 'x', 'y', '[SEP]', 'z', '[SEP]'],
      typeIds: [0, 0, 0, 0, 1, 1],
    });
    expect(bert.process(a, b, false).ids).toEqual([7, 8, 9]);
  });

  it('a Sequence of ByteLevel and a template acts as the template', () => {
    const sequence = buildPostProcessor(
      {
        type: 'Sequence',
        processors: [
          { type: 'ByteLevel', trim_offsets: false },
          {
            type: 'TemplateProcessing',
            single: [{ SpecialToken: { id: '<bos>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
            pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
            special_tokens: { '<bos>': { id: '<bos>', ids: [1], tokens: ['<bos>'] } },
          },
        ],
      },
      source,
    );
    expect(sequence.process(a, null, true).ids).toEqual([1, 7, 8]);
    expect(sequence.addedTokens(false)).toBe(1);
  });
});
