export { type BackendChoice, type BackendOption, useBackend, useBackendWithLabel } from './backend.js';
export { BestEpochTracker, monitorMode } from './best-epoch.js';
export { type Checkpoint, checkpointFile, listCheckpoints, readLatestCheckpoint } from './checkpoints.js';
export { physicalCores, resolveWorkers, shardRows } from './data-parallel/cores.js';
export { pluginModules, type RecipeArgs, replicaRecipe } from './data-parallel/recipe.js';
export { type FineTuneOptions, fineTune } from './fine-tune.js';
export { allLayers, applyFreezing, learningRateGroups, selectLayers } from './fine-tune-layers.js';
export { clipByGlobalNorm } from './gradient-clipping.js';
export { encodeTargets, fitLabels, labelSet } from './labels.js';
export { type LoadedModel, type LoadModelOptions, loadModel } from './load-model.js';
export { correctCount, exampleLosses } from './losses.js';
export {
  createLrScheduler,
  type LrScheduler,
  type LrSchedulerContext,
  type LrSchedulerState,
} from './lr-schedules.js';
export {
  type AveragedScores,
  accuracy,
  argmaxRows,
  type ClassificationScores,
  classificationScores,
  confusionMatrix,
  FLOAT64_EPSILON,
  logLoss,
} from './metrics/classification.js';
export {
  MULTI_LABEL_DECISION_THRESHOLD,
  type MultiLabelScores,
  multiLabelScores,
} from './metrics/multi-label.js';
export { meanAbsoluteError, r2Score, rootMeanSquaredError } from './metrics/regression.js';
export { binaryRocAuc, type OneVsRestRocAuc, oneVsRestRocAuc } from './metrics/roc-auc.js';
export { classIndices, computeTaskMetrics, metricSummary, type TaskMetrics } from './metrics/task-metrics.js';
export {
  createOptimizer,
  type OptimizerName,
  type OptimizerState,
  type ResolvedOptimizerOptions,
  resolveOptimizerOptions,
  type TrainerOptimizer,
} from './optimizers.js';
export {
  createPreprocessPool,
  type EncoderRecipe,
  MIN_AUTO_PARALLEL_RECORDS,
  MIN_PARALLEL_RECORDS,
  type PreprocessPool,
  type PreprocessPoolOptions,
} from './parallel-preprocess/pool.js';
export { globToRegExp, type ParamGroup, paramGroupScales } from './param-groups.js';
export { builtinPlugins, type ResolveRegistryOptions, resolveRegistry } from './plugins.js';
export {
  createPredictor,
  type EvaluateOptions,
  type PredictOptions,
  type Predictor,
  type PredictorParts,
  type RecordSource,
} from './predictor.js';
export { createProgressReporter, type ProgressOptions, type ProgressStream } from './progress.js';
export {
  buildEvaluationReport,
  type ClassScoresRow,
  type Distribution,
  distribution,
  type EvaluationReport,
  type EvaluationReportInput,
  type ModelSummary,
} from './report/build-report.js';
export { type EvaluationMetrics, modelSummary } from './report/model-outputs.js';
export { renderReportHtml } from './report/render-html.js';
export { groupedBars } from './report/svg-charts.js';
export { REPORT_FILES, writeReport } from './report/write-report.js';
export {
  applyParams,
  createSearchProgress,
  gridParams,
  type HalvingOptions,
  type HalvingRung,
  halvingSchedule,
  type MetricDirection,
  metricDirection,
  parseSearchSpace,
  readMetric,
  resultsTable,
  SEARCH_FILES,
  type SearchBest,
  type SearchDimension,
  type SearchOptions,
  type SearchParams,
  type SearchProgress,
  type SearchRange,
  type SearchResult,
  type SearchSpace,
  type SearchSpaceInput,
  type SearchStrategy,
  type SearchStrategyInput,
  type SearchTrial,
  type SplitMetrics,
  sampleParams,
  search,
  searchSpaceSchema,
  searchStrategySchema,
} from './search/index.js';
export {
  type CheckedSplitOptions,
  checkedSplit,
  type OnInvalid,
  type SplitTablesOptions,
  splitTables,
} from './split-tables.js';
export {
  createSupervisedTrainer,
  evaluate,
  PACKAGE_NAME,
  type SupervisedTrainerOptions,
  supervisedTrainerOptionsSchema,
  supervisedTrainerPlugin,
  TRAINER_ID,
} from './supervised-trainer.js';
export {
  type CollectedFeatureTableOptions,
  disposeTable,
  type FeatureTable,
  type FeatureTableOptions,
  featureTable,
  featureTensors,
  fitEncoders,
} from './tables.js';
export { type TrainOptions, type TrainResult, train } from './train.js';

import { supervisedTrainerPlugin } from './supervised-trainer.js';

/** The package's plugins, for a spec's `plugins: ["@omnifuse/trainer"]`. */
export default [supervisedTrainerPlugin];
export { createSpecFusion, specTask } from './spec-parts.js';
