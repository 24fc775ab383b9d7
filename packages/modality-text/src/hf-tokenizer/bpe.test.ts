import { ErrorCode } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { loadHfTokenizer } from './load-hf-tokenizer.js';
import { BPE_MERGES, gpt2TokenizerJson, robertaTokenizerJson } from './test-tokenizers.js';

// Ids by hand: alphabet ids 0-23 (Ġ = 23, Ċ = 22, a = 6, 3 = 4, l = 13, w = 19, d = 8, o = 15),
// merge rank r creates id 24 + r (BPE_MERGES in test-tokenizers.ts).
const gpt2 = loadHfTokenizer(gpt2TokenizerJson(), 'gpt2/tokenizer.json');
const ids = (text: string) => Array.from(gpt2.encode(text).ids);

describe('loadHfTokenizer: GPT-2 byte-level BPE', () => {
  it('merges the lowest-rank pair first', () => {
    // "Hello" → H e l l o: "l l" (r1) beats "e l" (r2), which is then stale; He (r3), Hell (r4),
    // Hello (r5) = 29. " world" → Ġworld: Ġw (r0), or (r6), Ġwor, Ġworl, Ġworld (r9) = 33.
    const encoding = gpt2.encode('Hello world');
    expect(Array.from(encoding.ids)).toEqual([29, 33]);
    expect(encoding.tokens).toEqual(['Hello', 'Ġworld']);
  });

  it('maps UTF-8 bytes to GPT-2 characters and splits contractions', () => {
    // " the" → Ġt (r17), Ġth (r18), Ġthe (r19) = 43. " café" → Ġ c a f Ã ©: Ã© (r10), ca (r11),
    // fÃ© (r12), cafÃ© (r13); "Ġ ca" (r14) is stale by then; ĠcafÃ© (r15) = 39. "'s" (r16) = 40.
    expect(ids("Hello the café's")).toEqual([29, 43, 39, 40]);
    expect(gpt2.encode('é').tokens).toEqual(['Ã©']);
  });

  it('merges left to right among equal ranks, then merges the results', () => {
    // "aaa" → aa a (46, 6). " aaaa" → Ġ a a a a: "a a" at 1, then at 3 (2 is gone), then
    // "aa aa" (r23) = 47; "Ġ a" (r26) is stale. → Ġ (23), aaaa (47).
    expect(ids('aaa aaaa')).toEqual([46, 6, 23, 47]);
  });

  it('splits numbers and whitespace like the GPT-2 regex', () => {
    // "12" → 44; " 123" → Ġ 1 2 3 → Ġ 12 3 → Ġ12 (45) 3 (4).
    expect(ids('12 123')).toEqual([44, 45, 4]);
    // Two spaces: the first is its own piece (\s+(?!\S)), the second starts " world".
    expect(ids('Hello  world')).toEqual([29, 23, 33]);
    // "\n\n" splits into "\n" "\n" (Ċ = 22); "world" without a space: w or l d.
    expect(ids('Hello\n\nworld')).toEqual([29, 22, 22, 19, 30, 13, 8]);
  });

  it('keeps added tokens whole and drops bytes missing from the vocab (no unk_token)', () => {
    expect(ids('Hello<|endoftext|> world')).toEqual([29, 54, 33]);
    // "z" is not in this small vocab and there is no unk_token: dropped, as the tokenizers library does.
    expect(ids('Hello z')).toEqual([29, 23]);
  });

  it('reads merges as [a, b] pairs too', () => {
    const pairs = loadHfTokenizer(gpt2TokenizerJson({}, true));
    expect(Array.from(pairs.encode("Hello the café's aaaa").ids)).toEqual([29, 43, 39, 40, 23, 47]);
  });

  it('has no pad token, so padding is refused', () => {
    expect(gpt2.padId).toBeNull();
    expect(() => gpt2.encode('Hello', { maxLength: 4, padding: 'max_length' })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, path: 'padding' }),
    );
  });

  it('refuses merges that name tokens outside the vocab, and dropout', () => {
    const json = gpt2TokenizerJson();
    const bad = { ...json, model: { ...json.model, merges: [...BPE_MERGES, 'x y'] } };
    expect(() => loadHfTokenizer(bad)).toThrow(expect.objectContaining({ path: 'model.merges[30]' }));
    const random = { ...json, model: { ...json.model, dropout: 0.1 } };
    expect(() => loadHfTokenizer(random)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, path: 'model.dropout' }),
    );
  });
});

describe('loadHfTokenizer: RoBERTa-style', () => {
  const roberta = loadHfTokenizer(robertaTokenizerJson());

  it('adds a prefix space and <s> … </s>', () => {
    // " Hello" → Ġ Hello (r24) = 48.
    expect(Array.from(roberta.encode('Hello world').ids)).toEqual([55, 48, 33, 56]);
    expect(roberta.padId).toBe(57);
  });

  it('joins a pair with </s></s> and type ids 0 throughout', () => {
    const pair = roberta.encode('Hello', { pair: 'world', maxLength: 8, padding: 'max_length' });
    expect(Array.from(pair.ids)).toEqual([55, 48, 56, 56, 33, 56, 57, 57]);
    expect(Array.from(pair.typeIds)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(pair.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
  });
});
