export { type BackendChoice, useBackend } from './backend.js';
export { BestEpochTracker, monitorMode } from './best-epoch.js';
export { encodeTargets, fitLabels, labelSet } from './labels.js';
export { type LoadedModel, type LoadModelOptions, loadModel } from './load-model.js';
export { correctCount, exampleLosses } from './losses.js';
export { builtinPlugins, type ResolveRegistryOptions, resolveRegistry } from './plugins.js';
export {
  createPredictor,
  type PredictOptions,
  type Predictor,
  type PredictorParts,
  type RecordSource,
} from './predictor.js';
export { createProgressReporter, type ProgressOptions, type ProgressStream } from './progress.js';
export {
  createSupervisedTrainer,
  evaluate,
  PACKAGE_NAME,
  type SupervisedTrainerOptions,
  supervisedTrainerOptionsSchema,
  supervisedTrainerPlugin,
  TRAINER_ID,
} from './supervised-trainer.js';
export { disposeTable, type FeatureTableOptions, featureTensors, fitEncoders } from './tables.js';
export { type TrainOptions, type TrainResult, train } from './train.js';

import { supervisedTrainerPlugin } from './supervised-trainer.js';

/** The package's plugins, for a spec's `plugins: ["@omnifuse/trainer"]`. */
export default [supervisedTrainerPlugin];
