import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BUNDLE_FILES,
  type FieldType,
  type LoadedBundle,
  loadBundle,
  type PluginList,
  type Registry,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { type BackendOption, useBackend } from './backend.js';
import { resolveRegistry } from './plugins.js';
import { createPredictor, type Predictor } from './predictor.js';

export interface LoadModelOptions {
  /** Plugins given in code; those the bundle's spec names by package are loaded when installed. */
  readonly registry?: Registry | PluginList;
  /** Backend to switch to first (a choice, or one selected already); by default the current one is kept. */
  readonly backend?: BackendOption;
  /** Folder plugin packages are resolved from; default: the working directory. */
  readonly baseDir?: string;
}

export interface LoadedModel extends Predictor {
  readonly bundle: LoadedBundle;
}

/**
 * Loads a bundle saved by `train` and returns a predictor over raw records. A plugin the bundle needs
 * that is neither given nor installed is an OmnifuseError (`E_PLUGIN_NOT_FOUND`) naming the plugin
 * and the package to install.
 */
export async function loadModel(bundleDir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  if (options.backend) await useBackend(options.backend);
  const baseDir = path.resolve(options.baseDir ?? process.cwd());
  const specifiers = await bundlePluginPackages(bundleDir);
  const registry = await resolveRegistry({ specifiers, baseDir, registry: options.registry, tolerant: true });
  const bundle = await loadBundle(bundleDir, { registry, tf });
  const predictor = createPredictor({
    spec: bundle.spec,
    task: bundle.task,
    model: bundle.model,
    inspect: bundle.inspect,
    inputs: bundle.inputs,
    encoders: bundle.encoders,
    fieldTypes: (bundle.manifest.data?.fieldTypes ?? {}) as Record<string, FieldType>,
  });
  return { ...predictor, bundle };
}

/** Package names among the plugins the bundle needs (relative module paths cannot be resolved from it). */
export async function bundlePluginPackages(bundleDir: string): Promise<string[]> {
  try {
    const manifest = JSON.parse(await readFile(path.join(bundleDir, BUNDLE_FILES.manifest), 'utf8')) as {
      plugins?: { kind?: string; packageName?: string | null }[];
    };
    const names = (manifest.plugins ?? [])
      .filter((p) => p.kind !== 'trainer' && typeof p.packageName === 'string')
      .map((p) => p.packageName as string);
    return [...new Set(names)].filter((name) => name !== '@omnifuse/core' && name !== '@omnifuse/trainer');
  } catch {
    // loadBundle reports a missing or corrupt manifest with the file named.
    return [];
  }
}
