export {
  type Candidate,
  type Conflict,
  type CustomRule,
  type FuseOptions,
  type FuseResult,
  type FusionRule,
  fuseRecords,
  groupsFromMatches,
  type Provenance,
  type RecordGroup,
} from './fuse-records.js';
export { fitLogistic, fitRidge, type LinearModel } from './linear-models.js';
export {
  type Label,
  loadStacker,
  type SourcePredictions,
  type Stacker,
  type StackerJson,
  type StackOptions,
  stackPredictions,
} from './stacking.js';
export { isPresent, sameValue } from './values.js';
