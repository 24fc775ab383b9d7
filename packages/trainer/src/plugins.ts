import {
  createRegistry,
  flattenPlugins,
  loadPlugins,
  type PluginList,
  type PluginV1,
  type Registry,
  vectorEncoderPlugin,
} from '@omnifuse/core';
import { supervisedTrainerPlugin } from './supervised-trainer.js';

/** Plugins every run has without naming them: core's built-in encoders and this trainer. */
export const builtinPlugins: readonly PluginV1[] = [vectorEncoderPlugin, supervisedTrainerPlugin];

export interface ResolveRegistryOptions {
  /** Plugin modules a spec names (package names or paths relative to `baseDir`). */
  readonly specifiers?: readonly string[];
  readonly baseDir: string;
  /** Plugins given in code; they win over loaded and built-in plugins with the same id. */
  readonly registry?: Registry | PluginList;
  /** Skip modules that fail to load instead of failing (a missing plugin is reported when it is needed). */
  readonly tolerant?: boolean;
}

/** Plugins given in code, then those the spec names, then the built-ins; the first of an id wins. */
export async function resolveRegistry(options: ResolveRegistryOptions): Promise<Registry> {
  const given =
    options.registry === undefined
      ? []
      : isRegistry(options.registry)
        ? options.registry.list()
        : flattenPlugins(options.registry);
  const loaded: PluginV1[] = [];
  for (const specifier of options.specifiers ?? []) {
    try {
      loaded.push(...(await loadPlugins([specifier], { baseDir: options.baseDir })));
    } catch (error) {
      if (!options.tolerant) throw error;
    }
  }
  const seen = new Set<string>();
  const plugins: PluginV1[] = [];
  for (const plugin of [...given, ...loaded, ...builtinPlugins]) {
    const key = `${plugin.kind}:${plugin.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    plugins.push(plugin);
  }
  return createRegistry(plugins);
}

function isRegistry(value: Registry | PluginList): value is Registry {
  return !Array.isArray(value) && typeof (value as Registry).list === 'function';
}
