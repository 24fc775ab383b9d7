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
