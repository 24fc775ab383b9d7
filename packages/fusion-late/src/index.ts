import { lateFusionPlugin } from './late-fusion.js';

export {
  createLateFusion,
  LATE_FUSION_ID,
  type LateFusionOptions,
  type LateFusionOptionsInput,
  lateFusionOptionsSchema,
  lateFusionPlugin,
} from './late-fusion.js';
export {
  LATE_FUSION_WEIGHTS_CLASS_NAME,
  type LateFusionWeighting,
  type LateFusionWeightsArgs,
  lateFusionLayers,
} from './late-fusion-weights.js';

/** The package's plugins, for a registry or a spec's `plugins`. */
export default [lateFusionPlugin];
