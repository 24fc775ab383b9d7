export { idxImages, idxLabels } from './idx-images.js';
export { type IdxData, type IdxDType, type IdxSource, type IdxTensor, parseIdx } from './parse-idx.js';
export { readIdxFile } from './read-idx-file.js';
