export {
  type ComposedInput,
  type ComposedModel,
  type ComposeModelArgs,
  composeModel,
  type FittedEncoder,
  layerPrefixes,
  PRESENCE_SUFFIX,
} from './compose-model.js';
export { type CustomLayers, customLayers, type SeededDropoutArgs } from './layers.js';
export {
  MASKED_SCORE,
  MULTI_HEAD_ATTENTION_CLASS_NAME,
  type MultiHeadAttentionArgs,
} from './multi-head-attention.js';
export { POSITION_EMBEDDING_CLASS_NAME, type PositionEmbeddingArgs } from './position-embedding.js';
export { applyFinalNorm, applyTransformerBlock, type TransformerBlockOptions } from './transformer-block.js';
