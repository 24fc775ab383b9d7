import { textCnnEncoderPlugin } from './encoders/cnn.js';
import { textEmbeddingEncoderPlugin } from './encoders/embedding.js';
import { textOnnxEncoderPlugin } from './encoders/onnx.js';
import { textRnnEncoderPlugin } from './encoders/rnn.js';
import { tfidfEncoderPlugin } from './encoders/tfidf.js';
import { textTransformerEncoderPlugin } from './encoders/transformer.js';

export {
  createTextCnnEncoder,
  type TextCnnEncoderOptions,
  type TextCnnEncoderOptionsInput,
  textCnnEncoderOptionsSchema,
  textCnnEncoderPlugin,
} from './encoders/cnn.js';
export {
  createTextEmbeddingEncoder,
  type TextEmbeddingEncoderOptions,
  type TextEmbeddingEncoderOptionsInput,
  textEmbeddingEncoderOptionsSchema,
  textEmbeddingEncoderPlugin,
} from './encoders/embedding.js';
export {
  createTextOnnxEncoder,
  type TextOnnxEncoderOptions,
  type TextOnnxEncoderOptionsInput,
  type TextOnnxEncoderState,
  textOnnxEncoderOptionsSchema,
  textOnnxEncoderPlugin,
} from './encoders/onnx.js';
export {
  createTextRnnEncoder,
  type TextRnnEncoderOptions,
  type TextRnnEncoderOptionsInput,
  textRnnEncoderOptionsSchema,
  textRnnEncoderPlugin,
} from './encoders/rnn.js';
export {
  DEFAULT_EMBEDDING_DIM,
  defineTextEncoder,
  TEXT_PACKAGE_NAME,
  TEXT_PREPROCESSOR_VERSION,
  type TextBuildContext,
  type TextEncoderBaseOptions,
  type TextEncoderDefinition,
  type TextEncoderKit,
  type TextEncoderState,
  type TextRaw,
  textEncoderOptions,
  tokenEmbeddingOptions,
  type VocabularyConfig,
} from './encoders/shared.js';
export {
  createTfidfEncoder,
  type TfidfEncoderOptions,
  type TfidfEncoderOptionsInput,
  type TfidfEncoderState,
  tfidfEncoderOptionsSchema,
  tfidfEncoderPlugin,
} from './encoders/tfidf.js';
export {
  createTextTransformerEncoder,
  type TextTransformerEncoderOptions,
  type TextTransformerEncoderOptionsInput,
  textTransformerEncoderOptionsSchema,
  textTransformerEncoderPlugin,
} from './encoders/transformer.js';
export * from './hf-tokenizer/index.js';
export * from './processing/index.js';
export * from './tfidf/index.js';
export * from './word-vectors/index.js';

/** Every encoder this package provides; a config that names the package loads these. */
export default [
  tfidfEncoderPlugin,
  textEmbeddingEncoderPlugin,
  textCnnEncoderPlugin,
  textRnnEncoderPlugin,
  textTransformerEncoderPlugin,
  textOnnxEncoderPlugin,
];
