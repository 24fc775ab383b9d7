export { type FitDurationOptions, fitDuration } from './fit-duration.js';
export { type NormalizeGainOptions, normalizeGain } from './normalize-gain.js';
export { type ResampleOptions, type ResampleQuality, resample } from './resample.js';
