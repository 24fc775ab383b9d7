export { copyFeatureSpec, parseEncoderOptions } from './parse-options.js';
export {
  createVectorEncoder,
  type VectorEncoderOptions,
  type VectorEncoderOptionsInput,
  type VectorEncoderState,
  type VectorRaw,
  vectorEncoderOptionsSchema,
  vectorEncoderPlugin,
} from './vector.js';
