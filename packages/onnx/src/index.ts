export {
  defineOnnxEncoder,
  modelValueName,
  type OnnxEncoderDefinition,
  type OnnxEncoderFitted,
  type OnnxEncoderInstance,
  type OnnxEncoderKit,
  type OnnxEncoderStateBase,
} from './define-onnx-encoder.js';
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
export {
  type LoadOnnxRuntimeOptions,
  loadOnnxRuntime,
  ONNX_RUNTIME_ALLOW_SCRIPTS,
  ONNX_RUNTIME_INSTALL,
  ONNX_RUNTIME_PACKAGE,
} from './onnx-runtime.js';
export { type PinnedOnnxModel, type PinnedOnnxModelOptions, pinOnnxModel } from './pinned-model.js';
export {
  OnnxFormatError,
  type OnnxModelInfo,
  type OnnxShape,
  type OnnxValueInfo,
  readOnnxModelInfo,
} from './read-onnx-model.js';
