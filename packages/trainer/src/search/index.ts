export { SEARCH_FILES } from './files.js';
export { type HalvingOptions, type HalvingRung, halvingSchedule } from './halving.js';
export { type MetricDirection, metricDirection, readMetric, type SplitMetrics } from './metric.js';
export { createSearchProgress, type SearchProgress } from './progress.js';
export { resultsTable } from './results-table.js';
export {
  type SearchBest,
  type SearchOptions,
  type SearchResult,
  search,
} from './search.js';
export {
  applyParams,
  gridParams,
  parseSearchSpace,
  type SearchDimension,
  type SearchParams,
  type SearchRange,
  type SearchSpace,
  type SearchSpaceInput,
  sampleParams,
  searchSpaceSchema,
} from './space.js';
export { type SearchStrategy, type SearchStrategyInput, searchStrategySchema } from './strategy.js';
export type { SearchTrial } from './trial.js';
