import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { createCharNgramTokenize } from './char-ngrams.js';
import { withKeptTokens } from './kept-spans.js';
import { parseTextOptions } from './text-error.js';
import { createTiktokenTokenize } from './tiktoken-tokenizer.js';
import {
  type Tokenizer,
  type TokenizerConfig,
  type TokenizerContext,
  type TokenizerOptions,
  tokenizerOptionsSchema,
} from './tokenizer-options.js';
import { createSegmenterTokenize, createWordTokenize, whitespaceTokenize } from './word-tokenizer.js';

/**
 * A tokenizer for already normalised text (see `normalizeText`). Kinds:
 * - `word` (default): Unicode words; Han/kana/Thai/Lao/Khmer/Myanmar runs via `Intl.Segmenter`;
 * - `segmenter`: `Intl.Segmenter` words of the whole text in `locale`;
 * - `whitespace`: split on whitespace;
 * - `char-ngrams`: scikit-learn's `char_wb` (`withinWords`, default) or `char` n-grams;
 * - `tiktoken`: BPE ids as decimal strings; the encoding's ranks load on first use (~0.2 s for
 *   cl100k_base, ~0.4 s for o200k_base) and are shared by all tokenizers of that encoding.
 *
 * `context.keep` lists tokens emitted whole (the placeholders of `normalizeText`); the pipeline
 * passes them. Invalid options are an `E_OPTIONS` OmnifuseError.
 */
export function createTokenizer(options?: TokenizerOptions, context: TokenizerContext = {}): Tokenizer {
  const config = parseTextOptions('createTokenizer', tokenizerOptionsSchema, options);
  const tokenize = withKeptTokens(context.keep, baseTokenize(config));
  return { kind: config.kind, tokenize };
}

function baseTokenize(config: TokenizerConfig): (text: string) => string[] {
  switch (config.kind) {
    case 'word':
      return createWordTokenize();
    case 'segmenter':
      return createSegmenterTokenize(checkedLocale(config.locale));
    case 'whitespace':
      return whitespaceTokenize;
    case 'char-ngrams':
      return createCharNgramTokenize(config.min, config.max, config.withinWords);
    case 'tiktoken':
      return createTiktokenTokenize(config.encoding);
  }
}

function checkedLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0]!;
  } catch (cause) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'createTokenizer: invalid segmenter locale',
      path: 'locale',
      expected: 'a BCP 47 language tag such as "zh" or "th"',
      found: locale,
      cause,
    });
  }
}
