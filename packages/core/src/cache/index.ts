export {
  encoderFingerprint,
  FEATURE_CACHE_KEY_VERSION,
  featureCacheKey,
  hashMediaBytes,
  hashPlainValue,
} from './cache-key.js';
export { decodeFeatureEntry, encodeFeatureEntry } from './entry-format.js';
export {
  createFeatureCache,
  createMemoryFeatureCache,
  disabledFeatureCache,
  type FeatureCache,
  type FeatureCacheCounters,
  type FeatureCacheOptions,
} from './feature-cache.js';
export {
  type FeatureBatch,
  type PreprocessFieldOptions,
  type PreprocessProgress,
  type PreprocessStats,
  preprocessField,
  type RecordFailure,
} from './preprocess-field.js';
