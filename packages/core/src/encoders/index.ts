export { copyFeatureSpec, parseEncoderOptions } from './parse-options.js';
export {
  createVectorEncoder,
  type VectorEncoderOptions,
  type VectorEncoderOptionsInput,
  type VectorEncoderState,
  type VectorLayout,
  type VectorRaw,
  vectorEncoderOptionsSchema,
  vectorEncoderPlugin,
  vectorLayout,
} from './vector.js';
