import {
  audioOnnxEncoderPlugin,
  cnn1dEncoderPlugin,
  cnn2dEncoderPlugin,
  rnnEncoderPlugin,
  transformerEncoderPlugin,
} from './encoders/index.js';

export * from './augment/index.js';
export * from './decode/index.js';
export * from './encoders/index.js';
export * from './features/index.js';
export * from './signal/index.js';

/** The package's plugins, for a model spec's `"plugins": ["@omnifuse/modality-audio"]`. */
export default [
  cnn2dEncoderPlugin,
  cnn1dEncoderPlugin,
  rnnEncoderPlugin,
  transformerEncoderPlugin,
  audioOnnxEncoderPlugin,
];
