import { dataVectorEncoderPlugin } from './encoder.js';

export * from './align/index.js';
export * from './anomaly/index.js';
export * from './clean/index.js';
export { type Embed2dOptions, embed2d, type ScatterSvgOptions, scatterSvg } from './embed/index.js';
export {
  createDataVectorEncoder,
  type DataVectorEncoderOptions,
  type DataVectorEncoderOptionsInput,
  type DataVectorEncoderState,
  type DataVectorRaw,
  dataVectorEncoderOptionsSchema,
  dataVectorEncoderPlugin,
} from './encoder.js';
export { inputError, parseOptions } from './errors.js';
export * from './fuse/index.js';
export * from './match/index.js';
export {
  chi2,
  fClassif,
  fRegression,
  type MutualInfoOptions,
  mutualInfoClassif,
  mutualInfoRegression,
  type UnivariateScores,
} from './mutual-info/index.js';
export {
  type FitPipelineOptions,
  type FittedPipeline,
  fitPipeline,
  loadPipeline,
  type PipelineJson,
  stepRegistry,
} from './pipeline.js';
export * from './quality/index.js';
export {
  checkRows,
  defineStep,
  type FitContext,
  type Rows,
  type StepDefinition,
  type StepSpec,
  type Target,
  valueError,
} from './step.js';
export { fitPca, type PcaState, transformPca } from './steps/decompose.js';
export { imputeSteps, missingIndicator, simpleImputer } from './steps/impute.js';
export { BUILTIN_STEPS } from './steps/index.js';
export {
  boxCox,
  boxCoxLambda,
  boxCoxStep,
  log1pStep,
  logStep,
  powerSteps,
  yeoJohnson,
  yeoJohnsonLambda,
  yeoJohnsonStep,
} from './steps/power.js';
export { minMaxScaler, robustScaler, scaleSteps, standardScaler } from './steps/scale.js';
export { type SelectionState, topK } from './steps/select.js';
export * from './validate/index.js';

/** The package's plugins, for a registry or a spec's `plugins`. */
export default [dataVectorEncoderPlugin];
