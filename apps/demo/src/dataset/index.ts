export {
  buildDemoDataset,
  DEMO_DATASET_DEFAULTS,
  type DemoDatasetOptions,
  type DemoDatasetSummary,
  type DemoManifestRecord,
} from './build-demo-dataset.js';
export { type DigitHint, HINT_RATES, type HintKind, makeDigitHint } from './hints.js';
export { TEST_VOICE_VARIANTS, TRAIN_VOICE_VARIANTS } from './voices.js';
