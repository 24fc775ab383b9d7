export { cmvn } from './cmvn.js';
export { dctMatrix } from './dct.js';
export { deltas } from './deltas.js';
export {
  createFeatureExtractor,
  type FeatureExtractor,
  type FeatureExtractorConfig,
  type FeatureExtractorOptions,
  type Features,
  type Float64Features,
  featureExtractorSchema,
} from './feature-extractor.js';
export { createRealFft, isPowerOfTwo, type RealFft } from './fft.js';
export {
  createMelFilterBank,
  hzToMel,
  type MelFilterBank,
  type MelFilterBankOptions,
  type MelNorm,
  type MelScale,
  melToHz,
} from './mel.js';
export { type PowerToDbOptions, powerToDb } from './power-to-db.js';
export {
  createStft,
  type PadMode,
  padSignal,
  type SpectrumKind,
  type Stft,
  type StftOptions,
} from './stft.js';
export { createWindow, type WindowKind } from './window.js';
