// Test utilities, kept off the main entry so nothing a user imports for inference ships them.
export {
  type BuildOnnxModelOptions,
  buildOnnxModel,
  type OnnxAttributeValue,
  type OnnxInitializerSpec,
  type OnnxNodeSpec,
  type OnnxTensorSpec,
  type OnnxTensorValues,
  type OnnxValueSpec,
} from '../build-onnx-model.js';
export {
  describeWithoutOnnxRuntime,
  type WithoutOnnxRuntimeSuiteOptions,
} from './describe-without-onnx-runtime.js';
export {
  type FitWithoutOnnxRuntimeOptions,
  type FitWithoutOnnxRuntimeResult,
  fitWithoutOnnxRuntime,
  type RunWithoutOnnxRuntimeOptions,
  runWithoutOnnxRuntime,
  WITHOUT_ONNX_RUNTIME_ARGS,
} from './without-onnx-runtime.js';
