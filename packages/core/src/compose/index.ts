export {
  type ComposedInput,
  type ComposedModel,
  type ComposeModelArgs,
  composeModel,
  type FittedEncoder,
  layerPrefixes,
  PRESENCE_SUFFIX,
} from './compose-model.js';
export {
  type DefinedFusion,
  type DefinedFusionBuildContext,
  type DefinedFusionV1,
  type DefineFusionArgs,
  defineFusion,
  type FusionOptionsSchema,
  type ModalityDropoutShape,
} from './define-fusion.js';
export { type CustomLayerClass, defineLayers } from './define-layers.js';
export {
  type FusionPresence,
  type FusionPresenceOptions,
  fusionPresence,
  fusionVectors,
  modalityDropoutSchema,
} from './fusion-helpers.js';
export {
  MISSING_EMBEDDING_CLASS_NAME,
  type MissingEmbeddingArgs,
  MODALITY_DROPOUT_CLASS_NAME,
  type ModalityDropoutArgs,
  PRESENCE_COLUMN_CLASS_NAME,
  type PresenceColumnArgs,
} from './fusion-layers.js';
export { applyInitialization, type InitializationScheme, PYTORCH_BATCH_NORM } from './initialization.js';
export { type CustomLayers, customLayers, type SeededDropoutArgs } from './layers.js';
export {
  MASKED_SCORE,
  MULTI_HEAD_ATTENTION_CLASS_NAME,
  type MultiHeadAttentionArgs,
} from './multi-head-attention.js';
export { POSITION_EMBEDDING_CLASS_NAME, type PositionEmbeddingArgs } from './position-embedding.js';
export {
  applyProjection,
  type LayerActivation,
  layerActivationSchema,
  type ProjectionDefaults,
  type ProjectionNaming,
  type ProjectionOptions,
  projectionOptionsSchema,
} from './projection-head.js';
export {
  type BatchShard,
  batchDropout,
  batchRandomUniform,
  batchShard,
  hasRandomState,
  type SeededRandomLayer,
  setBatchShard,
} from './random-state.js';
export { applyFinalNorm, applyTransformerBlock, type TransformerBlockOptions } from './transformer-block.js';
