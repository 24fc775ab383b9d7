/**
 * Small but realistic tokenizer.json objects for tests, shaped like the files the `tokenizers`
 * library writes for bert-base-uncased and gpt2 / roberta-base.
 */

/** WordPiece vocabulary: the id of a token is its index. */
// biome-ignore format: rows keep the ids easy to count
export const BERT_VOCAB = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', // 0-4
  'the', 'quick', 'brown', 'fox', 'jump', // 5-9
  '##s', '##ed', 'over', 'lazy', 'dog', // 10-14
  '!', '.', ',', '?', 'cafe', // 15-19
  'naive', 'un', '##believ', '##able', '中', // 20-24
  '文', 'hello', 'world', 'a', '##a', // 25-29
  '##b', 'b', 'token', '##izer', '##ize', // 30-34
  'i', 'love', 'play', '##ing', 'is', // 35-39
  'what', "'", 's', 'de', '##ja', // 40-44
  'vu', 'resume', '##r', 'x', '##x', // 45-49
  '$', '5', '##0', '日', '本', // 50-54
  'no', 'yes', 'go', '##es', '-', // 55-59
  'to', // 60
] as const;

const special = (id: number, content: string) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});

export function bertTokenizerJson(overrides: Record<string, unknown> = {}) {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      special(0, '[PAD]'),
      special(1, '[UNK]'),
      special(2, '[CLS]'),
      special(3, '[SEP]'),
      special(4, '[MASK]'),
    ],
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      // Small so that the limit is testable (bert-base-uncased has 100).
      max_input_chars_per_word: 12,
      vocab: Object.fromEntries(BERT_VOCAB.map((token, id) => [token, id])),
    },
    ...overrides,
  };
}

/** Byte-level alphabet of the BPE fixture: ids 0-23 (Ġ is a space, Ċ a newline, Ã© the bytes of é). */
// biome-ignore format: rows keep the ids easy to count
export const BPE_ALPHABET = [
  '!', "'", '1', '2', '3', 'H', 'a', 'c', 'd', 'e', 'f', 'h',
  'i', 'l', 'n', 'o', 'r', 's', 't', 'w', '©', 'Ã', 'Ċ', 'Ġ',
] as const;

/** Merges in rank order; merge r creates the token with id 24 + r. */
// biome-ignore format: rows keep the ids easy to count
export const BPE_MERGES = [
  'Ġ w', 'l l', 'e l', 'H e', 'He ll', // r0-4 → 24-28
  'Hell o', 'o r', 'Ġw or', 'Ġwor l', 'Ġworl d', // r5-9 → 29-33
  'Ã ©', 'c a', 'f Ã©', 'ca fÃ©', 'Ġ ca', // r10-14 → 34-38
  'Ġ cafÃ©', "' s", 'Ġ t', 'Ġt h', 'Ġth e', // r15-19 → 39-43
  '1 2', 'Ġ 12', 'a a', 'aa aa', 'Ġ Hello', // r20-24 → 44-48
  'a n', 'Ġ a', 'Ġ an', 's t', 'e s', // r25-29 → 49-53
] as const;

export const END_OF_TEXT_ID = 54;

export function gpt2TokenizerJson(overrides: Record<string, unknown> = {}, mergesAsPairs = false) {
  const vocab: Record<string, number> = {};
  BPE_ALPHABET.forEach((c, id) => {
    vocab[c] = id;
  });
  BPE_MERGES.forEach((merge, rank) => {
    vocab[merge.replace(' ', '')] = BPE_ALPHABET.length + rank;
  });
  vocab['<|endoftext|>'] = END_OF_TEXT_ID;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ ...special(END_OF_TEXT_ID, '<|endoftext|>'), normalized: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: mergesAsPairs ? BPE_MERGES.map((m) => m.split(' ')) : [...BPE_MERGES],
    },
    ...overrides,
  };
}

/** The GPT-2 fixture as roberta-base is set up: prefix space, <s> … </s>, a <pad>. */
export function robertaTokenizerJson() {
  const base = gpt2TokenizerJson();
  const added = [{ ...special(55, '<s>') }, { ...special(56, '</s>') }, { ...special(57, '<pad>') }];
  return {
    ...base,
    added_tokens: [...base.added_tokens, ...added],
    pre_tokenizer: { ...base.pre_tokenizer, add_prefix_space: true },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['</s>', 56],
      cls: ['<s>', 55],
      trim_offsets: true,
      add_prefix_space: true,
    },
  };
}
