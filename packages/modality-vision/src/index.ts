import {
  cnnEncoderPlugin,
  onnxEncoderPlugin,
  patchEncoderPlugin,
  resnetEncoderPlugin,
} from './encoders/index.js';

export {
  checkImageValue,
  type ImageCheckOptions,
  ImageFindingCode,
  imageValueCheck,
  measureImageValue,
} from './check/index.js';
export * from './encoders/index.js';
export * from './idx/index.js';
export * from './image-options.js';
export {
  PIXEL_NORMALIZATION_CLASS_NAME,
  type PixelNormalizationArgs,
  type VisionLayers,
  visionLayers,
} from './layers/index.js';
export * from './preprocess/index.js';
export { type ImageProbe, type ImageProblem, type ProbedImageFormat, probeImage } from './probe/index.js';

/** The package's plugins, for a model spec's `"plugins": ["@omnifuse/modality-vision"]`. */
export default [cnnEncoderPlugin, resnetEncoderPlugin, patchEncoderPlugin, onnxEncoderPlugin];
