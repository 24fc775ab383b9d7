import path from 'node:path';
import {
  createFeatureCache,
  type Dataset,
  ErrorCode,
  type FeatureCache,
  type LoadManifestOptions,
  loadManifest,
  type ModelSpec,
  OmnifuseError,
  type PluginList,
  type Registry,
} from '@omnifuse/core';
import { resolveRegistry } from '../plugins.js';

/**
 * The registry every trial uses, resolved once. Modules the spec names that do not load from
 * `baseDir` are skipped when plugins given in code cover them (the CLI loads some from beside
 * itself); if the spec's own plugins are still missing, the strict resolution's error explains why.
 */
export async function searchRegistry(
  spec: ModelSpec,
  baseDir: string,
  given: Registry | PluginList | undefined,
): Promise<Registry> {
  const registry = await resolveRegistry({
    specifiers: spec.plugins,
    baseDir,
    registry: given,
    tolerant: true,
  });
  try {
    for (const input of spec.inputs) registry.encoder(input.encoder);
    if (spec.fusion) registry.fusion(spec.fusion.type);
    registry.trainer(spec.training.trainer);
  } catch (error) {
    await resolveRegistry({ specifiers: spec.plugins, baseDir, registry: given });
    throw error;
  }
  return registry;
}

export async function loadSearchData(
  options: { readonly manifestPath?: string; readonly manifestOptions?: LoadManifestOptions },
  spec: ModelSpec,
  baseDir: string,
): Promise<Dataset> {
  const manifest = options.manifestPath ?? (spec.data ? path.resolve(baseDir, spec.data) : undefined);
  if (!manifest) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'no data: give a dataset, a manifestPath, or "data" in the spec',
      path: 'data',
    });
  }
  return loadManifest(path.resolve(baseDir, manifest), options.manifestOptions);
}

export function sharedCache(
  option: string | false | FeatureCache | undefined,
  dataset: Dataset,
): FeatureCache | false {
  if (option === false) return false;
  if (option && typeof option === 'object') return option;
  return createFeatureCache({ dir: option ?? path.join(dataset.root, '.omnifuse-cache') });
}
