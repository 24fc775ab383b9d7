export {
  type AggregateOptions,
  type AggregateResult,
  aggregateWindows,
  REDUCERS,
  type Reducer,
} from './aggregate.js';
export {
  type AlignedTable,
  type AlignStreamsOptions,
  alignStreams,
  type Gap,
  type ResampleMethod,
  type ResampleOptions,
  resample,
  timeGrid,
} from './align-streams.js';
export { type InterpolateOptions, interpolateLinear } from './interpolate.js';
export { type AlignNearestOptions, type AlignNearestResult, alignNearest } from './nearest.js';
export type { Stream } from './stream.js';
