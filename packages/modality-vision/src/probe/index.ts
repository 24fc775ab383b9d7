export type { ImageProbe, ImageProblem, ProbedImageFormat } from './bytes.js';
export { probeImage } from './probe-image.js';
