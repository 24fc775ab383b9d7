import { ErrorCode, OmnifuseError } from './errors.js';
import type { EncoderPluginV1 } from './spec/encoder.js';
import type { FusionPluginV1 } from './spec/fusion.js';
import { type PluginKind, type PluginV1, SPECIFICATION_VERSION } from './spec/plugin.js';
import type { TrainerPluginV1 } from './spec/trainer.js';

type PluginOfKind<K extends PluginKind> = Extract<PluginV1, { kind: K }>;

/** A plugin list as packages export it: plugins, possibly nested in arrays. */
export type PluginList = readonly (PluginV1 | PluginList)[];

/** An instance-scoped set of plugins, looked up by kind and id. */
export interface Registry {
  encoder(id: string): EncoderPluginV1;
  fusion(id: string): FusionPluginV1;
  trainer(id: string): TrainerPluginV1;
  get<K extends PluginKind>(kind: K, id: string): PluginOfKind<K>;
  has(kind: PluginKind, id: string): boolean;
  list<K extends PluginKind>(kind?: K): PluginOfKind<K>[];
  /** A new registry with these plugins added (the same duplicate rules apply). */
  with(plugins: PluginList): Registry;
}

const KINDS: readonly PluginKind[] = ['encoder', 'fusion', 'trainer'];

/**
 * Builds a registry; a plugin of another spec version or two plugins of one kind and id are an
 * error. The same plugin object listed twice (a module loaded twice) is one plugin.
 */
export function createRegistry(plugins: PluginList = []): Registry {
  const all: PluginV1[] = [];
  const byKind = new Map<PluginKind, Map<string, PluginV1>>(KINDS.map((k) => [k, new Map()]));
  for (const plugin of flattenPlugins(plugins)) {
    assertPlugin(plugin);
    const table = byKind.get(plugin.kind)!;
    const existing = table.get(plugin.id);
    if (existing === plugin) continue;
    if (existing) throw duplicatePluginError(existing, plugin);
    table.set(plugin.id, plugin);
    all.push(plugin);
  }

  const get = <K extends PluginKind>(kind: K, id: string): PluginOfKind<K> => {
    const found = byKind.get(kind)!.get(id);
    if (!found) {
      const available = [...byKind.get(kind)!.keys()].sort();
      throw new OmnifuseError({
        code: ErrorCode.PluginNotFound,
        message: `no ${kind} plugin "${id}" is registered; available: ${available.join(', ') || '(none)'}`,
        plugin: id,
        details: { kind, available },
      });
    }
    return found as PluginOfKind<K>;
  };

  return {
    encoder: (id) => get('encoder', id),
    fusion: (id) => get('fusion', id),
    trainer: (id) => get('trainer', id),
    get,
    has: (kind, id) => byKind.get(kind)!.has(id),
    list: <K extends PluginKind>(kind?: K) =>
      all.filter((p) => kind === undefined || p.kind === kind) as PluginOfKind<K>[],
    with: (more) => createRegistry([...all, ...flattenPlugins(more)]),
  };
}

/** The error for two different plugins of one kind sharing an id, naming both packages. */
export function duplicatePluginError(existing: PluginV1, plugin: PluginV1): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.DuplicatePlugin,
    message: `two ${plugin.kind} plugins share the id "${plugin.id}"`,
    plugin: plugin.id,
    details: { packages: [existing.packageName ?? '(unnamed)', plugin.packageName ?? '(unnamed)'] },
  });
}

export function flattenPlugins(plugins: PluginList): PluginV1[] {
  const out: PluginV1[] = [];
  const visit = (items: PluginList) => {
    for (const item of items) {
      if (Array.isArray(item)) visit(item as PluginList);
      else out.push(item as PluginV1);
    }
  };
  visit(plugins);
  return out;
}

/** Checks the shape every plugin shares; the spec version first, since everything else depends on it. */
export function assertPlugin(value: unknown, source?: string): asserts value is PluginV1 {
  const plugin = value as Partial<PluginV1> | null;
  const fail = (message: string, expected?: unknown, found?: unknown): never => {
    throw new OmnifuseError({
      code: ErrorCode.PluginLoad,
      message: source ? `${message} (from ${source})` : message,
      plugin: typeof plugin?.id === 'string' ? plugin.id : undefined,
      expected,
      found,
    });
  };
  if (!plugin || typeof plugin !== 'object')
    return fail('a plugin must be an object', 'object', typeof value);
  if (plugin.specificationVersion !== SPECIFICATION_VERSION) {
    const what =
      plugin.specificationVersion === undefined
        ? 'is not an omnifuse plugin (no specificationVersion)'
        : `implements specification ${String(plugin.specificationVersion)}, this core implements ${SPECIFICATION_VERSION}`;
    throw new OmnifuseError({
      code: ErrorCode.SpecVersion,
      message: `${typeof plugin.id === 'string' ? `plugin "${plugin.id}"` : 'the export'} ${what}${source ? ` (from ${source})` : ''}`,
      plugin: typeof plugin.id === 'string' ? plugin.id : undefined,
      expected: SPECIFICATION_VERSION,
      found: plugin.specificationVersion,
    });
  }
  if (typeof plugin.id !== 'string' || !/^[a-z0-9][\w.-]*:[\w.-]+$/i.test(plugin.id)) {
    fail('a plugin id must look like "namespace:name"', 'e.g. "vision:cnn"', plugin.id);
  }
  if (!KINDS.includes(plugin.kind as PluginKind)) fail('unknown plugin kind', KINDS, plugin.kind);
  if (typeof plugin.create !== 'function') fail('a plugin must have a create(options) function');
}
