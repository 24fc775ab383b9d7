import type { FusionPluginV1 } from '@omnifuse/core';
import { attentionFusionPlugin } from './attention.js';
import { gmuFusionPlugin } from './gmu.js';

export {
  type AttentionFusionOptions,
  type AttentionFusionOptionsInput,
  attentionFusionOptionsSchema,
  attentionFusionPlugin,
  createAttentionFusion,
} from './attention.js';
export {
  createGmuFusion,
  type GmuFusionOptions,
  type GmuFusionOptionsInput,
  gmuFusionOptionsSchema,
  gmuFusionPlugin,
} from './gmu.js';
export {
  type AttentionLayers,
  attentionLayers,
  MASKED_MODALITY_SOFTMAX_CLASS_NAME,
  MODALITY_WEIGHTED_SUM_CLASS_NAME,
} from './layers.js';

/** The package's plugins; a config that names `@omnifuse/fusion-attention` loads these. */
const plugins: readonly FusionPluginV1[] = [attentionFusionPlugin, gmuFusionPlugin];
export default plugins;
