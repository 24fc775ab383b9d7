import {
  ErrorCode,
  type FittedEncoder,
  type ModelReplicaRecipe,
  type ModelSpec,
  OmnifuseError,
  type PluginKind,
  type Registry,
  type TaskSpec,
} from '@omnifuse/core';
import { builtinPlugins, resolveRegistry } from '../plugins.js';

export interface RecipeArgs {
  readonly spec: ModelSpec;
  /** Folder the spec's plugin paths are relative to. */
  readonly baseDir: string;
  readonly registry: Registry;
  readonly encoders: Readonly<Record<string, FittedEncoder>>;
  readonly task: TaskSpec & { readonly labels?: readonly string[] };
  /** The seed `composeModel` took. */
  readonly seed: number;
  /** The tfjs backend in use. */
  readonly backend: string;
  /** Record ids of the training rows and the augmentation seed, when an input augments. */
  readonly augment?: { readonly records: readonly (string | number)[]; readonly seed: number };
  /** Names of the layers frozen in the model being trained (fine-tuning). */
  readonly frozenLayers?: readonly string[];
}

/**
 * What worker threads need to compose the same model: the spec's plugin modules plus the package
 * of every plugin given in code that the model uses (a worker imports them by name; plugins given
 * in code without a `packageName` must be named in the spec's `plugins` to train with workers).
 */
export function replicaRecipe(args: RecipeArgs): ModelReplicaRecipe {
  const { spec } = args;
  return {
    plugins: pluginModules(args),
    spec,
    encoders: Object.fromEntries(
      Object.entries(args.encoders).map(([field, { encoder, state }]) => [field, { id: encoder.id, state }]),
    ),
    task: args.task,
    seed: args.seed,
    backend: args.backend,
    ...(args.augment ? { augment: args.augment } : {}),
    ...(args.frozenLayers && args.frozenLayers.length > 0 ? { frozenLayers: args.frozenLayers } : {}),
  };
}

/**
 * The modules that give other threads the plugins a model uses: the spec's `plugins`, plus the
 * package of each plugin given in code (built-ins need none). A plugin given in code without a
 * `packageName` is reachable only if a module in the spec's `plugins` exports it.
 */
export function pluginModules(args: {
  readonly spec: ModelSpec;
  readonly baseDir: string;
  readonly registry: Registry;
  readonly encoders: Readonly<Record<string, FittedEncoder>>;
}): { modules: string[]; baseDir: string } {
  const { spec, registry } = args;
  const builtin = new Set(builtinPlugins.map((plugin) => `${plugin.kind}:${plugin.id}`));
  const used = [
    ...Object.values(args.encoders).map(({ encoder }) => registry.encoder(encoder.id)),
    ...(spec.fusion ? [registry.fusion(spec.fusion.type)] : []),
  ];
  const packages = used
    .filter((plugin) => !builtin.has(`${plugin.kind}:${plugin.id}`))
    .flatMap((plugin) => (plugin.packageName ? [plugin.packageName] : []));
  return { modules: [...new Set([...spec.plugins, ...packages])], baseDir: args.baseDir };
}

/**
 * The registry a replica composes its model with: the recipe's plugin modules (a module that fails
 * to load or exports no plugin is passed over) and the built-ins. Every plugin the model uses must be
 * in it: a plugin given in code that no module provides is an error naming it (each worker raises
 * it at start-up, and the trainer rethrows it).
 */
export async function replicaRegistry(recipe: ModelReplicaRecipe): Promise<Registry> {
  const registry = await resolveRegistry({
    specifiers: recipe.plugins.modules,
    baseDir: recipe.plugins.baseDir,
    tolerant: true,
  });
  const spec = recipe.spec as ModelSpec;
  const used: [PluginKind, string][] = [
    ...Object.values(recipe.encoders).map(({ id }) => ['encoder', id] as [PluginKind, string]),
    ...(spec.fusion ? [['fusion', spec.fusion.type] as [PluginKind, string]] : []),
  ];
  const missing = used.filter(([kind, id]) => !registry.has(kind, id)).map(([, id]) => id);
  if (missing.length > 0) {
    throw new OmnifuseError({
      code: ErrorCode.PluginNotFound,
      message: `training.workers: the worker threads cannot import ${missing.join(', ')}: a plugin given in code reaches them only through a module — name its package or file in the spec's plugins, or train with workers: 1`,
      plugin: missing[0],
      path: 'training.workers',
      expected: "plugins importable from the spec's plugins or their packageName",
      found: recipe.plugins.modules,
    });
  }
  return registry;
}
