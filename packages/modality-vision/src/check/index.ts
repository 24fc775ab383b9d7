export { checkImageValue, type ImageCheckOptions, imageValueCheck } from './check-image.js';
export { ImageFindingCode } from './image-findings.js';
export { measureImageValue } from './measure-image.js';
