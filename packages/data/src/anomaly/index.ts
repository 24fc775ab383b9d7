export {
  averagePathLength,
  fitIsolationForest,
  type IsolationForest,
  type IsolationForestOptions,
  type IsolationForestState,
  type IsolationTreeState,
  loadIsolationForest,
} from './isolation-forest.js';
export {
  type IqrStats,
  iqrOutliers,
  type OutlierCell,
  type OutlierResult,
  type ZScoreStats,
  zScoreOutliers,
} from './univariate.js';
