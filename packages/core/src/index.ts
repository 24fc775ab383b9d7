export {
  BACKEND_NAMES,
  type BackendChoice,
  type BackendName,
  type ImportModule,
} from './backends/backend-candidates.js';
export { type BackendStatus, type BackendsReport, describeBackends } from './backends/describe-backends.js';
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
export {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type BundlePluginRef,
  bundleManifestSchema,
  decodePredictions,
  encodeModelWeights,
  installedPackageVersion,
  type LoadBundleOptions,
  type LoadedBundle,
  loadBundle,
  type ModelJson,
  type ModelOutputs,
  MULTI_LABEL_THRESHOLD,
  parseBundleManifest,
  restoreModelWeights,
  runModel,
  type SaveBundleArgs,
  type SavedBundle,
  saveBundle,
  type WeightSpec,
} from './bundle/index.js';
export * from './cache/index.js';
export * from './check/index.js';
export {
  applyFinalNorm,
  applyInitialization,
  applyProjection,
  applyTransformerBlock,
  type BatchShard,
  batchDropout,
  batchRandomUniform,
  batchShard,
  type ComposedInput,
  type ComposedModel,
  type ComposeModelArgs,
  type CustomLayers,
  composeModel,
  customLayers,
  type DefinedFusion,
  type DefinedFusionV1,
  type DefineFusionArgs,
  defineFusion,
  type FittedEncoder,
  type FusionPresence,
  type FusionPresenceOptions,
  fusionPresence,
  fusionVectors,
  hasRandomState,
  type InitializationScheme,
  type LayerActivation,
  layerActivationSchema,
  layerPrefixes,
  MASKED_SCORE,
  MISSING_EMBEDDING_CLASS_NAME,
  type MissingEmbeddingArgs,
  MODALITY_DROPOUT_CLASS_NAME,
  type ModalityDropoutArgs,
  MULTI_HEAD_ATTENTION_CLASS_NAME,
  type MultiHeadAttentionArgs,
  modalityDropoutSchema,
  POSITION_EMBEDDING_CLASS_NAME,
  type PositionEmbeddingArgs,
  PRESENCE_COLUMN_CLASS_NAME,
  PRESENCE_SUFFIX,
  type PresenceColumnArgs,
  type ProjectionDefaults,
  type ProjectionNaming,
  type ProjectionOptions,
  PYTORCH_BATCH_NORM,
  projectionOptionsSchema,
  type SeededDropoutArgs,
  type SeededRandomLayer,
  setBatchShard,
  type TransformerBlockOptions,
} from './compose/index.js';
export * from './dataset/index.js';
export {
  copyFeatureSpec,
  createVectorEncoder,
  parseEncoderOptions,
  type VectorEncoderOptions,
  type VectorEncoderOptionsInput,
  type VectorEncoderState,
  type VectorLayout,
  type VectorRaw,
  vectorEncoderOptionsSchema,
  vectorEncoderPlugin,
  vectorLayout,
} from './encoders/index.js';
export * from './errors.js';
export { featureArrayType, matchesFeatureDType, tensorDTypeOf } from './feature-arrays.js';
export { hashValue, sha256, stableStringify } from './hash.js';
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
export {
  activeConditions,
  type LoadPluginsOptions,
  loadPlugins,
  loadRegistry,
  resolvePluginModule,
} from './loader.js';
export {
  formatPath,
  type InputSpec,
  inputSpecSchema,
  type LrScheduleSpec,
  loadModelSpec,
  lrScheduleSchema,
  type ModelSpec,
  type ModelSpecInput,
  modelSpecJsonSchema,
  modelSpecSchema,
  OPTIMIZER_OPTION_NAMES,
  type OptimizerOptionsSpec,
  type OutputSpec,
  optimizerOptionsSchema,
  outputSpecSchema,
  parseModelSpec,
  readConfigFile,
  type SplitSpec,
  splitSpecSchema,
  type TrainingSpec,
  trainingSpecSchema,
} from './model-spec.js';
export { assertPlugin, createRegistry, flattenPlugins, type PluginList, type Registry } from './registry.js';
export { createRng, hashSeed, shuffled } from './rng.js';
export * from './spec/index.js';
export { isStreamedTable } from './streamed-table.js';
export { writeFileAtomic } from './write-file-atomic.js';
