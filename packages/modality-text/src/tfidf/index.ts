export { type Analyze, type AnalyzerOptions, createAnalyzer, sklearnTokenize } from './analyzer.js';
export { compareCodePoints } from './code-point-order.js';
export { SKLEARN_ENGLISH_STOP_WORDS } from './english-stop-words.js';
export { fitTfidf, fitTransformTfidf } from './fit-tfidf.js';
export {
  type DocumentFrequency,
  parseTfidfOptions,
  type TfidfOptions,
  type TfidfOptionsInput,
  tfidfOptionsSchema,
} from './options.js';
export {
  createTfidfModel,
  type SparseRow,
  TFIDF_JSON_FORMAT,
  type TfidfModel,
  type TfidfModelJSON,
  tfidfFromJSON,
} from './tfidf-model.js';
