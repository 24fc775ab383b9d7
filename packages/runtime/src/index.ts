export type { BackendCandidate, LoadedBackend, LoadOptions } from './backends/backend-candidate.js';
export { type BackendStatus, type BackendsReport, describeBackends } from './backends/describe-backends.js';
export type { ImportModule } from './backends/import-module.js';
export {
  backendLabel,
  type SelectBackendOptions,
  type SelectedBackend,
  selectBackend,
} from './backends/select-backend.js';
export {
  describeWebgpuAdapter,
  isSoftwareAdapter,
  type WebgpuAdapterInfo,
  type WebgpuFeatureLevel,
  type WebgpuLimits,
  type WebgpuOptions,
} from './backends/webgpu-adapter.js';
export type { Tfjs } from './kernels/kernel-types.js';
export {
  registerTrainingGradients,
  TRAINING_GRADIENTS,
  type TrainingGradient,
} from './kernels/register-training-gradients.js';
export {
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
  type WasmTrainingKernel,
} from './kernels/register-wasm-training-kernels.js';
