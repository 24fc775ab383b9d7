export { createTokenizer } from './create-tokenizer.js';
export {
  type NormalizeConfig,
  type NormalizeOptions,
  normalizeOptionsSchema,
  normalizePlaceholders,
  normalizeText,
} from './normalize-text.js';
export { removeStopwords, stopwordLanguages, stopwordSet } from './stopwords.js';
export type { TextProblem, TextSource } from './text-error.js';
export {
  createTextPipeline,
  type TextPipeline,
  type TextProcessingConfig,
  type TextProcessingOptions,
  textProcessingSchema,
} from './text-pipeline.js';
export {
  TIKTOKEN_ENCODINGS,
  type TiktokenEncodingName,
  type Tokenizer,
  type TokenizerConfig,
  type TokenizerContext,
  type TokenizerOptions,
  tokenizerOptionsSchema,
} from './tokenizer-options.js';
export {
  CLS_ID,
  fitVocabulary,
  PAD_ID,
  UNK_ID,
  type Vocabulary,
  type VocabularyJSON,
  type VocabularyOptions,
  vocabularyFromJSON,
  vocabularyOptionsSchema,
} from './vocabulary.js';
