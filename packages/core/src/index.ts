export * from './spec/index.js';
export * from './errors.js';
export { createRng, hashSeed, shuffled } from './rng.js';
export { hashValue, sha256, stableStringify } from './hash.js';
export { assertPlugin, createRegistry, flattenPlugins, type PluginList, type Registry } from './registry.js';
export { loadPlugins, loadRegistry, resolvePluginModule, type LoadPluginsOptions } from './loader.js';
export {
  formatPath,
  inputSpecSchema,
  loadModelSpec,
  modelSpecJsonSchema,
  modelSpecSchema,
  outputSpecSchema,
  parseModelSpec,
  splitSpecSchema,
  trainingSpecSchema,
  type InputSpec,
  type ModelSpec,
  type ModelSpecInput,
  type OutputSpec,
  type SplitSpec,
  type TrainingSpec,
} from './model-spec.js';
export * from './dataset/index.js';
export * from './cache/index.js';
export {
  createVectorEncoder,
  vectorEncoderOptionsSchema,
  vectorEncoderPlugin,
  type VectorEncoderOptions,
  type VectorEncoderOptionsInput,
  type VectorEncoderState,
  type VectorRaw,
} from './encoders/index.js';
export {
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
  type WasmTrainingKernel,
} from './kernels/register-wasm-training-kernels.js';
export type { Tfjs } from './kernels/kernel-types.js';
export { selectBackend, type SelectBackendOptions, type SelectedBackend } from './backends/select-backend.js';
export { describeBackends, type BackendsReport, type BackendStatus } from './backends/describe-backends.js';
export {
  BACKEND_NAMES,
  type BackendChoice,
  type BackendName,
  type ImportModule,
} from './backends/backend-candidates.js';
