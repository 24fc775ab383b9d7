export { augmentImage, randomCropBox } from './augment-image.js';
export { checkDecodedImage, looksLikeDecodedImage } from './decoded-image.js';
export { type ImageWhere, imageInputError } from './image-errors.js';
export { DECODED_IMAGE_FORMATS, type ImageFormat, sniffImageFormat } from './image-format.js';
export {
  createImagePreprocessor,
  IMAGE_PREPROCESSOR_VERSION,
  type ImagePreprocessor,
  parseImagePreprocessOptions,
} from './image-preprocessor.js';
export {
  backgroundFeature,
  backgroundRgb,
  greyOfRgb,
  LUMA_WEIGHTS,
  normalizePixels,
  type PixelNormalization,
  type PixelRegion,
  pixelNormalization,
} from './pixel-normalization.js';
