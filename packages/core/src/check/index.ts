export {
  type CheckDatasetOptions,
  checkDataset,
  type DataCheckReport,
  type DataFinding,
} from './check-dataset.js';
export {
  formatCheckReport,
  invalidDataError,
  type SkippedRecords,
  skippedRecords,
  withPreprocessFailures,
} from './report.js';
