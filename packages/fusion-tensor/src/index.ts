import type { FusionPluginV1 } from '@omnifuse/core';
import { lowRankTensorFusionPlugin } from './low-rank-tensor.js';
import { tensorFusionPlugin } from './tensor.js';

export {
  LOW_RANK_FUSION_CLASS_NAME,
  type LowRankFusionArgs,
  TENSOR_FUSION_CLASS_NAME,
  type TensorLayers,
  tensorLayers,
} from './layers.js';
export {
  createLowRankTensorFusion,
  type LowRankTensorFusionOptions,
  type LowRankTensorFusionOptionsInput,
  lowRankTensorFusionOptionsSchema,
  lowRankTensorFusionPlugin,
} from './low-rank-tensor.js';
export type { MissingMode } from './shared.js';
export {
  createTensorFusion,
  type TensorFusionOptions,
  type TensorFusionOptionsInput,
  tensorFusionOptionsSchema,
  tensorFusionPlugin,
} from './tensor.js';

/** The package's plugins; a config that names `@omnifuse/fusion-tensor` loads these. */
const plugins: readonly FusionPluginV1[] = [tensorFusionPlugin, lowRankTensorFusionPlugin];
export default plugins;
