import path from 'node:path';
import {
  ErrorCode,
  errorFields,
  loadPlugins,
  OmnifuseError,
  type PluginV1,
  resolvePluginModule,
} from '@omnifuse/core';
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
 * Loads the plugin modules a config lists, trying each search folder in turn. A module that cannot be
 * found or imported is an OmnifuseError at `plugins[i]` of the config, naming the install command.
 */
export async function loadPluginModules(
  specifiers: readonly string[],
  searchDirs: readonly string[],
  configFile?: string,
): Promise<LoadedPluginModule[]> {
  const out: LoadedPluginModule[] = [];
  for (const [index, specifier] of specifiers.entries()) {
    let file: string | undefined;
    let fromFirstDir = false;
    let firstError: unknown;
    // A relative module path means the config's folder only.
    const dirs = specifier.startsWith('.') ? searchDirs.slice(0, 1) : searchDirs;
    for (const [i, dir] of dirs.entries()) {
      try {
        file = resolvePluginModule(specifier, dir);
        fromFirstDir = i === 0;
        break;
      } catch (error) {
        firstError ??= error;
      }
    }
    const where = { path: `plugins[${index}]`, file: configFile };
    if (!file) throw withPath(firstError, where);
    try {
      const plugins = await loadPlugins([file], { baseDir: searchDirs[0]! });
      out.push({ specifier, file, fromFirstDir, plugins });
    } catch (error) {
      throw withPath(error, where);
    }
  }
  return out;
}

function withPath(error: unknown, where: { path: string; file?: string }): OmnifuseError {
  if (OmnifuseError.isInstance(error)) {
    return new OmnifuseError({ ...errorFields(error), ...where, cause: error });
  }
  return new OmnifuseError({
    code: ErrorCode.PluginLoad,
    message: error instanceof Error ? error.message : String(error),
    ...where,
    cause: error,
  });
}
