export { catchAsync, catchSync, expectOmnifuseError } from './assertions.js';
export {
  describeEncoderConformance,
  type EncoderConformanceCheck,
  type EncoderConformanceOptions,
} from './encoder-conformance.js';
// The harness the suites are built from, for suites built on this kit (@omnifuse/runtime/testing's
// backend parity) and for a plugin author's own tests.
export {
  type BuiltEncoder,
  buildEncoder,
  defaultReadMedia,
  type FitOptions,
  type FittedEncoder,
  fitOnSamples,
} from './encoder-harness.js';
export {
  describeFusionConformance,
  type FusionConformanceCheck,
  type FusionConformanceOptions,
} from './fusion-conformance.js';
export {
  buildMockFusion,
  type MockBatch,
  type MockFusion,
  type MockModality,
  mockBatchTensors,
  mockModalities,
  randomMockBatch,
} from './fusion-harness.js';
export { expectGradientsMatchFiniteDifferences, type GradientCheckOptions } from './gradient-check.js';
export { createMockConcatFusion, mockConcatFusionPlugin } from './mock-concat-fusion.js';
export {
  createMockEncoderPlugin,
  type MockEncoderCalls,
  type MockEncoderPlugin,
  type MockEncoderPluginOptions,
  type MockEncoderRaw,
  type MockEncoderState,
} from './mock-encoder.js';
export {
  type GradientReport,
  gradientReport,
  lazy,
  maxRelativeDifference,
  saveToMemory,
  stackFeatures,
  type Tf,
  type TfChoice,
} from './tf-helpers.js';
