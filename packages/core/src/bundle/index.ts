export { type LoadBundleOptions, type LoadedBundle, loadBundle } from './load-bundle.js';
export {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type BundlePluginRef,
  bundleManifestSchema,
  parseBundleManifest,
} from './manifest.js';
export { installedPackageVersion } from './package-version.js';
export { decodePredictions, type ModelOutputs, MULTI_LABEL_THRESHOLD, runModel } from './predictions.js';
export { type SaveBundleArgs, type SavedBundle, saveBundle } from './save-bundle.js';
export { encodeModelWeights, type ModelJson, restoreModelWeights, type WeightSpec } from './weights.js';
