export {
  activation,
  BATCH_NORM,
  type ConvSpec,
  convBatchNormActivation,
  denseStack,
  type LayerNaming,
  pool2d,
  seededDropout,
  staticShape,
} from './conv-block.js';
export {
  PIXEL_NORMALIZATION_CLASS_NAME,
  type PixelNormalizationArgs,
} from './pixel-normalization.js';
export { type VisionLayers, visionLayers } from './vision-layers.js';
