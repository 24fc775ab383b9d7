export { createWordVectorParser, type RowOf, type WordVectorMatrix } from './parse-word-vectors.js';
export {
  clearPretrainedVectorCache,
  loadPretrainedVectors,
  pretrainedEmbeddingMatrix,
} from './pretrained-vectors.js';
export {
  type ReadWordVectors,
  type ReadWordVectorsOptions,
  readWordVectors,
  readWordVectorsSync,
} from './read-word-vectors.js';
export {
  type PretrainedVectorsInput,
  type PretrainedVectorsOptions,
  type PretrainedVectorsState,
  pretrainedVectorsSchema,
  WORD_VECTOR_FORMATS,
  type WordVectorFormat,
} from './word-vector-options.js';
