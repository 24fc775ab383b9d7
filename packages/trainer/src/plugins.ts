import {
  createRegistry,
  ErrorCode,
  flattenPlugins,
  loadPlugins,
  OmnifuseError,
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
  /** Plugins given in code, before those the spec names. */
  readonly registry?: Registry | PluginList;
  /** Skip modules that fail to load instead of failing (a missing plugin is reported when it is needed). */
  readonly tolerant?: boolean;
}

/**
 * Plugins given in code, then those the spec names (core's loader), then the built-ins. Two
 * different plugins of one kind and id are an `E_DUPLICATE_PLUGIN` error, as in `createRegistry`;
 * the same plugin twice (a module loaded again) is one. A built-in is a default: a given or loaded
 * plugin with its id (another copy of this package, say) takes its place.
 */
export async function resolveRegistry(options: ResolveRegistryOptions): Promise<Registry> {
  const given =
    options.registry === undefined
      ? []
      : isRegistry(options.registry)
        ? options.registry.list()
        : flattenPlugins(options.registry);
  const specifiers = options.specifiers ?? [];
  const loaded: PluginV1[] = [];
  if (options.tolerant) {
    for (const specifier of specifiers) {
      try {
        loaded.push(...(await loadPlugins([specifier], { baseDir: options.baseDir })));
      } catch (error) {
        if (OmnifuseError.isInstance(error) && error.code === ErrorCode.DuplicatePlugin) throw error;
      }
    }
  } else {
    loaded.push(...(await loadPlugins(specifiers, { baseDir: options.baseDir })));
  }
  const registry = createRegistry([...given, ...loaded]);
  return registry.with(builtinPlugins.filter((plugin) => !registry.has(plugin.kind, plugin.id)));
}

function isRegistry(value: Registry | PluginList): value is Registry {
  return !Array.isArray(value) && typeof (value as Registry).list === 'function';
}
