export {
  compareQuality,
  type FieldQuality,
  type MetricDelta,
  type QualityComparison,
  type QualityOptions,
  type QualityReport,
  qualityReport,
} from './quality-report.js';
export { qualitySvg, renderQualityReport } from './render.js';
