export {
  type CleaningOptions,
  type CleaningReport,
  type CleaningStep,
  type CleaningStepReport,
  cleanRecords,
  renderCleaningReport,
} from './clean-records.js';
export { type DuplicateGroup, type FindDuplicatesOptions, findDuplicates } from './duplicates.js';
export {
  type CheckMediaOptions,
  checkMedia,
  type MediaCheck,
  type MediaDecoder,
  type MediaFailure,
} from './media.js';
export {
  applyMissing,
  fitMissing,
  handleMissing,
  type MissingOptions,
  type MissingState,
} from './missing.js';
export {
  findNearDuplicateText,
  type NearDuplicateOptions,
  type NearDuplicatePair,
  type NearDuplicateResult,
} from './near-duplicates.js';
export type { RecordId, RecordNote, StepOutcome } from './records.js';
