import { concatFusionPlugin } from './concat-fusion.js';

export {
  CONCAT_FUSION_ID,
  type ConcatFusionOptions,
  type ConcatFusionOptionsInput,
  concatFusionOptionsSchema,
  concatFusionPlugin,
  createConcatFusion,
} from './concat-fusion.js';

/** The package's plugins, for a registry or a spec's `plugins`. */
export default [concatFusionPlugin];
