export {
  type AudioAugmentConfig,
  type AudioAugmentContext,
  type AudioAugmentOptions,
  type AudioFeatureKind,
  audioAugmentSchema,
  parseAudioAugmentOptions,
} from './augment-options.js';
export { augmentSpectrogram } from './augment-spectrogram.js';
