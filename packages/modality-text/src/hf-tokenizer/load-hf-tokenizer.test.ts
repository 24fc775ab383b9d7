import { ErrorCode } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { loadHfTokenizer } from './load-hf-tokenizer.js';
import { bertTokenizerJson } from './test-tokenizers.js';

// Expected ids are derived by hand from the algorithms (BertNormalizer → BertPreTokenizer →
// WordPiece → template) against BERT_VOCAB, whose ids are in test-tokenizers.ts.
const bert = loadHfTokenizer(bertTokenizerJson(), 'bert/tokenizer.json');
const ids = (text: string, options = {}) => Array.from(bert.encode(text, options).ids);

describe('loadHfTokenizer: BERT-uncased WordPiece', () => {
  it('lowercases, splits punctuation and uses ## continuation pieces', () => {
    // "the quick brown fox jumped !": "jumped" → longest vocab prefix "jump" (9), then "##ed" (11).
    const encoding = bert.encode('The quick brown fox jumped!');
    expect(Array.from(encoding.ids)).toEqual([2, 5, 6, 7, 8, 9, 11, 15, 3]);
    expect(encoding.tokens).toEqual(['[CLS]', 'the', 'quick', 'brown', 'fox', 'jump', '##ed', '!', '[SEP]']);
    expect(Array.from(encoding.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(encoding.typeIds)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // "what ' s the dog ?": the apostrophe is ASCII punctuation, isolated.
    expect(ids("What's the dog?")).toEqual([2, 40, 41, 42, 5, 14, 18, 3]);
  });

  it('strips accents because strip_accents is null and lowercase is on', () => {
    // NFD splits é into e + U+0301, a nonspacing mark that is dropped: "cafe naive resume".
    expect(ids('Café Naïve RÉSUMÉ')).toEqual([2, 19, 20, 46, 3]);
    const cased = loadHfTokenizer(
      bertTokenizerJson({
        normalizer: {
          type: 'BertNormalizer',
          clean_text: true,
          handle_chinese_chars: true,
          strip_accents: null,
          lowercase: false,
        },
      }),
    );
    // Not lowercased, so not stripped either: "Café" is no vocab word and no piece fits → [UNK].
    expect(Array.from(cased.encode('Café', { addSpecialTokens: false }).ids)).toEqual([1]);
  });

  it('makes every CJK ideograph its own word', () => {
    // 中 (24) 文 (25) are in the vocab; 很 and 好 are words of their own, unknown → [UNK] (1) each.
    expect(ids('中文很好')).toEqual([2, 24, 25, 1, 1, 3]);
    expect(ids('日本go')).toEqual([2, 53, 54, 57, 3]);
    const plain = loadHfTokenizer(
      bertTokenizerJson({
        normalizer: {
          type: 'BertNormalizer',
          clean_text: true,
          handle_chinese_chars: false,
          strip_accents: null,
          lowercase: true,
        },
      }),
    );
    // Without handle_chinese_chars "中文" is one word: 中, then "##文" is not in the vocab → one [UNK].
    expect(Array.from(plain.encode('中文', { addSpecialTokens: false }).ids)).toEqual([1]);
  });

  it('turns a word with an unmatched piece into one [UNK]', () => {
    // "xyzzy": "x" matches, "##yzzy" … "##y" do not → the whole word is [UNK].
    expect(ids('xyzzy hello')).toEqual([2, 1, 26, 3]);
    // 12 characters (the limit): un ##believ ##able.
    expect(ids('unbelievable')).toEqual([2, 21, 22, 23, 3]);
  });

  it('applies max_input_chars_per_word (12 here)', () => {
    expect(ids('x'.repeat(12))).toEqual([2, 48, ...new Array(11).fill(49), 3]);
    expect(ids('x'.repeat(13))).toEqual([2, 1, 3]);
  });

  it('cleans control characters and odd whitespace', () => {
    // NUL and U+200B (format, Cf) are dropped; tab and U+3000 become spaces.
    expect(ids('hello\u0000\tworld\u200b\u3000a')).toEqual([2, 26, 27, 28, 3]);
  });

  it('matches special tokens in the raw text, never split or lowercased', () => {
    // [MASK] is normalized: false, so it is taken out before lowercasing would make it "[mask]".
    expect(ids('hello [MASK] world')).toEqual([2, 26, 4, 27, 3]);
    expect(ids('[CLS]')).toEqual([2, 2, 3]);
  });

  it('truncates, then adds special tokens, then pads', () => {
    // Room for 6 - 2 special tokens = 4 tokens: the quick brown fox.
    expect(ids('The quick brown fox jumped!', { maxLength: 6 })).toEqual([2, 5, 6, 7, 8, 3]);
    const padded = bert.encode('hello world', { maxLength: 6, padding: 'max_length' });
    expect(Array.from(padded.ids)).toEqual([2, 26, 27, 3, 0, 0]);
    expect(Array.from(padded.attentionMask)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(padded.tokens).toEqual(['[CLS]', 'hello', 'world', '[SEP]', '[PAD]', '[PAD]']);
    // truncation: false keeps every token even past maxLength (the tokenizers behaviour).
    expect(ids('The quick brown fox', { maxLength: 4, truncation: false })).toEqual([2, 5, 6, 7, 8, 3]);
    expect(ids('hello', { addSpecialTokens: false })).toEqual([26]);
  });

  it('encodes pairs with token type ids and longest-first truncation', () => {
    // "i love playing" → i love play ##ing; type ids 1 from the second sequence on, its [SEP] too.
    const pair = bert.encode('hello world', { pair: 'I love playing' });
    expect(Array.from(pair.ids)).toEqual([2, 26, 27, 3, 35, 36, 37, 38, 3]);
    expect(Array.from(pair.typeIds)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1]);
    // maxLength 8 leaves 5 for 2 + 4 tokens: the shorter keeps 2, the longer gets max(2, 5 - 2) = 3.
    const cut = bert.encode('hello world', { pair: 'I love playing', maxLength: 8, padding: 'max_length' });
    expect(Array.from(cut.ids)).toEqual([2, 26, 27, 3, 35, 36, 37, 3]);
    // Room 3 for 4 + 4: both are cut to 1 and 2 (3 / 2 = 1, then 1 + 3 % 2 = 2).
    const both = bert.encode('the quick brown fox', { pair: 'I love playing', maxLength: 6 });
    expect(Array.from(both.ids)).toEqual([2, 5, 3, 35, 36, 3]);
  });

  it('uses the file truncation and padding sections as defaults', () => {
    const withDefaults = loadHfTokenizer(
      bertTokenizerJson({
        truncation: { direction: 'Left', max_length: 5, strategy: 'LongestFirst', stride: 0 },
        padding: {
          strategy: { Fixed: 5 },
          direction: 'Right',
          pad_to_multiple_of: null,
          pad_id: 0,
          pad_type_id: 0,
          pad_token: '[PAD]',
        },
      }),
    );
    // Room 5 - 2 = 3 of 4 tokens; Left truncation keeps the last three: quick brown fox.
    expect(Array.from(withDefaults.encode('the quick brown fox').ids)).toEqual([2, 6, 7, 8, 3]);
    expect(Array.from(withDefaults.encode('hello').ids)).toEqual([2, 26, 3, 0, 0]);
    expect(Array.from(withDefaults.encode('hello', { padding: false }).ids)).toEqual([2, 26, 3]);
  });

  it('exposes the vocabulary', () => {
    expect(bert.vocabSize).toBe(61);
    expect(bert.padId).toBe(0);
    expect(bert.tokenToId('##ed')).toBe(11);
    expect(bert.idToToken(24)).toBe('中');
    expect(bert.tokenToId('nope')).toBeUndefined();
  });

  it('refuses unsupported components with E_OPTIONS naming the component and the file', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ model: { type: 'Unigram', vocab: [] } }, 'model.type', 'Unigram'],
      [{ normalizer: { type: 'Precompiled', precompiled_charsmap: '' } }, 'normalizer.type', 'Precompiled'],
      [{ pre_tokenizer: { type: 'UnicodeScripts' } }, 'pre_tokenizer.type', 'UnicodeScripts'],
      [{ post_processor: { type: 'Fancy' } }, 'post_processor.type', 'Fancy'],
      [
        { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'Nmt' }] } },
        'normalizer.normalizers[1].type',
        'Nmt',
      ],
    ];
    for (const [override, path, found] of cases) {
      expect(() => loadHfTokenizer(bertTokenizerJson(override), 'x/tokenizer.json')).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidOptions, file: 'x/tokenizer.json', path, found }),
      );
    }
    expect(() => loadHfTokenizer('{ not json', 'y.json')).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, file: 'y.json' }),
    );
  });

  it('refuses a vocab without its unk token, and non-string input', () => {
    const json = bertTokenizerJson();
    const model = { ...json.model, unk_token: '<unk>' };
    expect(() => loadHfTokenizer({ ...json, model })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, path: 'model.unk_token' }),
    );
    expect(() => bert.encode(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput }),
    );
  });
});
