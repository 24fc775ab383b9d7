export {
  type BuildOnnxModelOptions,
  buildOnnxModel,
  type OnnxAttributeValue,
  type OnnxInitializerSpec,
  type OnnxNodeSpec,
  type OnnxTensorSpec,
  type OnnxTensorValues,
  type OnnxValueSpec,
} from './build-onnx-model.js';
export {
  createOnnxFeatureExtractor,
  describeImageInput,
  type OnnxFeatureExtractor,
  type OnnxFeatureExtractorOptions,
  type OnnxImageInput,
  type OnnxImageLayout,
} from './feature-extractor.js';
export {
  formatShape,
  type LoadOnnxModelOptions,
  loadOnnxModel,
  type OnnxModel,
  type OnnxRunOptions,
  type OnnxTensorArray,
  type OnnxTensorInput,
  type OnnxTensorOutput,
} from './load-onnx-model.js';
export {
  asModelOptionError,
  type CheckModelFileOptions,
  checkModelFile,
} from './model-option-errors.js';
export type { OnnxDType } from './onnx-proto.js';
export { type PinnedOnnxModel, type PinnedOnnxModelOptions, pinOnnxModel } from './pinned-model.js';
export {
  OnnxFormatError,
  type OnnxModelInfo,
  type OnnxShape,
  type OnnxValueInfo,
  readOnnxModelInfo,
} from './read-onnx-model.js';
