import path from 'node:path';
import { loadModelSpec, type ModelSpec, type PluginV1 } from '@omnifuse/core';
import { loadPluginModules, pluginSearchDirs } from './plugins.js';

export interface LoadedConfig {
  /** Absolute config path. */
  readonly file: string;
  /** Its folder: the spec's `data` and relative plugin paths resolve against it. */
  readonly dir: string;
  /** The validated spec, as written. */
  readonly spec: ModelSpec;
  /**
   * The spec to hand to `train()`: its `plugins` keep only modules that resolve from the config's
   * folder (train loads those itself); the rest, found beside the CLI, come in `plugins`.
   */
  readonly trainSpec: ModelSpec;
  /** Every plugin the config names, already loaded. */
  readonly plugins: readonly PluginV1[];
}

/**
 * Reads and validates a config (an OmnifuseError names the file and the config path at fault) and
 * loads the plugin packages it lists, from the config's folder or else from beside the CLI.
 */
export async function loadConfig(configPath: string, cwd: string): Promise<LoadedConfig> {
  const file = path.resolve(cwd, configPath);
  const spec = loadModelSpec(file);
  const dir = path.dirname(file);
  const modules = await loadPluginModules(spec.plugins, pluginSearchDirs(dir), file);
  const local = new Set(modules.filter((m) => m.fromFirstDir).map((m) => m.specifier));
  return {
    file,
    dir,
    spec,
    trainSpec: { ...spec, plugins: spec.plugins.filter((p) => local.has(p)) },
    plugins: modules.flatMap((m) => m.plugins),
  };
}
