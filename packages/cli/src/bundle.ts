import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_FILES, ErrorCode, OmnifuseError, type PluginV1 } from '@omnifuse/core';
import { type LoadedModel, loadModel } from '@omnifuse/trainer';
import { activateBackend } from './backend-line.js';
import { type CliIo, line } from './io.js';
import { loadPluginModules, pluginSearchDirs } from './plugins.js';

/**
 * Loads a bundle for predict/evaluate. Plugin packages the bundle names are looked up from the
 * working folder, then beside the CLI; one found nowhere is left to `loadModel`, whose error names
 * the plugin and the npm install command.
 */
export async function openBundle(bundleArg: string, io: CliIo): Promise<{ dir: string; model: LoadedModel }> {
  const { dir, manifestFile } = bundleFiles(bundleArg, io);
  const { text } = await activateBackend('auto');
  line(io.stderr, text);
  const plugins = await bundlePlugins(manifestFile, io.cwd);
  const model = await loadModel(dir, { registry: plugins, baseDir: io.cwd });
  return { dir, model };
}

/** The bundle's plugins found from the working folder or beside the CLI; missing ones are left out. */
export async function bundlePlugins(manifestFile: string, cwd: string): Promise<PluginV1[]> {
  const plugins: PluginV1[] = [];
  for (const name of bundlePackages(manifestFile)) {
    try {
      const [loaded] = await loadPluginModules([name], pluginSearchDirs(cwd));
      plugins.push(...(loaded?.plugins ?? []));
    } catch {
      // loadModel reports the plugins still missing.
    }
  }
  return plugins;
}

/** The bundle folder and its manifest; a folder without one is an E_BUNDLE error. */
export function bundleFiles(bundleArg: string, io: CliIo): { dir: string; manifestFile: string } {
  const dir = path.resolve(io.cwd, bundleArg);
  const manifestFile = path.join(dir, BUNDLE_FILES.manifest);
  if (!existsSync(manifestFile)) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: `not a model bundle: no ${BUNDLE_FILES.manifest} (train writes one with --out <dir>)`,
      file: dir,
    });
  }
  return { dir, manifestFile };
}

/** Plugin packages a bundle's manifest names, besides core and the trainer (empty when unreadable). */
export function bundlePackages(manifestFile: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      plugins?: { packageName?: string | null }[];
    };
    const names = (manifest.plugins ?? []).map((p) => p.packageName).filter((n): n is string => !!n);
    return [...new Set(names)].filter((n) => n !== '@omnifuse/core' && n !== '@omnifuse/trainer');
  } catch {
    return []; // loadModel names the corrupt manifest
  }
}

/** The bundle's spec `data` resolved against the given folders, where such a file exists. */
export function bundleDataCandidates(model: LoadedModel, dirs: readonly string[]): string[] {
  const data = model.spec.data;
  if (!data) return [];
  return dirs.map((d) => path.resolve(d, data)).filter((file) => existsSync(file));
}
