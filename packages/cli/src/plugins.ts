import path from 'node:path';
import { loadPluginModules as loadModules, type PluginV1 } from '@omnifuse/core';
import { CLI_PACKAGE_DIR } from './versions.js';

/** First-party plugin packages, what `init` names and `info` looks for. */
export const KNOWN_PLUGIN_PACKAGES = [
  '@omnifuse/modality-vision',
  '@omnifuse/modality-audio',
  '@omnifuse/modality-text',
  '@omnifuse/fusion-concat',
  '@omnifuse/fusion-late',
  '@omnifuse/fusion-attention',
  '@omnifuse/fusion-tensor',
  '@omnifuse/fusion-transformer',
  '@omnifuse/data',
  '@omnifuse/trainer',
] as const;

/**
 * Folders package names resolve from, in order: the config's (or working) folder, then the CLI's own
 * install, so a globally installed `omnifuse` finds the plugin packages installed beside it.
 */
export function pluginSearchDirs(first: string): string[] {
  return [...new Set([path.resolve(first), CLI_PACKAGE_DIR])];
}

export interface LoadedPluginModule {
  readonly specifier: string;
  /** The module file it resolved to. */
  readonly file: string;
  /** Whether it resolved from the first search folder (the config's), as `train()` would find it. */
  readonly fromFirstDir: boolean;
  readonly plugins: readonly PluginV1[];
}

/**
 * Loads the plugin modules a config lists with core's loader, trying each search folder in turn. A
 * module that cannot be found or imported, or a plugin id two modules share, is an OmnifuseError at
 * `plugins[i]` of the config, naming the install command where a package is missing.
 */
export async function loadPluginModules(
  specifiers: readonly string[],
  searchDirs: readonly string[],
  configFile?: string,
): Promise<LoadedPluginModule[]> {
  const baseDir = path.resolve(searchDirs[0]!);
  const modules = await loadModules(specifiers, {
    baseDir,
    searchDirs,
    source: { file: configFile, path: 'plugins' },
  });
  return modules.map(({ specifier, file, dir, plugins }) => ({
    specifier,
    file,
    fromFirstDir: dir === baseDir,
    plugins,
  }));
}
