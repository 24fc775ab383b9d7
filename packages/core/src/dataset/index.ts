export {
  createDataset,
  type DatasetOptions,
  type InlineManifest,
  type LoadManifestOptions,
  loadManifest,
  RECORDS_ON_DISK_BYTES,
} from './dataset.js';
export { labelSet } from './labels.js';
export { manifestFormatOf, type ParseManifestOptions, parseManifestText } from './manifest-format.js';
export {
  AUDIO_EXTENSIONS,
  encoderInput,
  escapedMagic,
  IMAGE_EXTENSIONS,
  isDataUri,
  isReferenceObject,
  MAX_QUOTED_BYTES,
  type MediaKind,
  mediaKindOfPath,
  mediaKindOfType,
  mediaReaderFor,
  mediaReadProblem,
  parseDataUri,
  type ReadMediaOptions,
  readMedia,
  referenceObjectError,
  resolveMediaPath,
  sniffMediaType,
  toMediaRef,
  type ValueContext,
} from './media.js';
export { isMissing } from './missing.js';
export {
  CATEGORY_MAX_DISTINCT,
  categoryOrText,
  classifyValue,
  coerceRecords,
  inferSchema,
  isNumericString,
  TEXT_MIN_MEAN_TOKENS,
  type ValueKind,
} from './schema.js';
export {
  type DatasetSplit,
  type SplitName,
  type SplitRatios,
  type SplitSpec,
  splitDataset,
  splitOfIndices,
} from './split.js';
export { apportion, assignGroups, ensureEveryPositive } from './split-allocation.js';
export { describeType, MAX_TEXT_LENGTH, sanitizeText, textFindings } from './text-policy.js';
export {
  type DataRecord,
  type Dataset,
  type DatasetSchema,
  FIELD_TYPES,
  type FieldSummary,
  type FieldType,
  type ManifestFormat,
  MEDIA_FIELD_TYPES,
} from './types.js';
export {
  assertValidRecords,
  type RecordIssue,
  type RecordIssueKind,
  type ValidateOptions,
  validateRecords,
} from './validate.js';
