export {
  createVectorEncoder,
  type VectorEncoderOptions,
  type VectorEncoderOptionsInput,
  type VectorEncoderState,
  type VectorRaw,
  vectorEncoderOptionsSchema,
  vectorEncoderPlugin,
} from './vector.js';
