import { transformerFusionPlugin } from './transformer-fusion.js';

export {
  CLS_TOKEN_CLASS_NAME,
  FIRST_TOKEN_CLASS_NAME,
  KEY_MASK_CLASS_NAME,
  type KeyMaskArgs,
  type LearnedTokenArgs,
  type TransformerFusionLayers,
  TYPE_EMBEDDING_CLASS_NAME,
  transformerFusionLayers,
} from './layers.js';
export {
  createTransformerFusion,
  type TransformerFusionOptions,
  type TransformerFusionOptionsInput,
  transformerFusionOptionsSchema,
  transformerFusionPlugin,
} from './transformer-fusion.js';

/** The package's plugins, for a registry or a config's `plugins` list. */
export default [transformerFusionPlugin];
