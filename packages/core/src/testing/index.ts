export {
  DEFAULT_PARITY_TOLERANCE,
  describeEncoderParity,
  describeFusionParity,
  type EncoderParityOptions,
  type FusionParityOptions,
  type ParityBackends,
  type ParityReport,
  type ParityTolerance,
  scaledMaxDifference,
} from './backend-parity.js';
export {
  describeEncoderConformance,
  type EncoderConformanceCheck,
  type EncoderConformanceOptions,
} from './encoder-conformance.js';
export {
  describeFusionConformance,
  type FusionConformanceCheck,
  type FusionConformanceOptions,
} from './fusion-conformance.js';
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
export type { Tf, TfChoice } from './tf-helpers.js';
