import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, errorFields, OmnifuseError } from './errors.js';
import {
  assertPlugin,
  createRegistry,
  duplicatePluginError,
  flattenPlugins,
  type PluginList,
  type Registry,
} from './registry.js';
import type { PluginV1 } from './spec/plugin.js';

export interface LoadPluginsOptions {
  /** Folder that relative specifiers and package names resolve from (usually the config's folder). */
  baseDir: string;
  /**
   * Folders a package name is looked up from, in order; the first that has it wins (default:
   * `[baseDir]`). A CLI passes the config's folder, then its own install, so a globally installed
   * CLI finds the plugin packages beside it. Relative paths resolve from `baseDir` only.
   */
  searchDirs?: readonly string[];
  /**
   * Where the specifiers were written: an error about `specifiers[i]` (not found, not importable,
   * not a plugin, a duplicate id) names `file` and the path `${path}[i]`, e.g. `plugins[2]`.
   */
  source?: { readonly file?: string; readonly path: string };
}

/** One plugin module as `loadPluginModules` loaded it. */
export interface LoadedPluginModule {
  readonly specifier: string;
  /** The module file it resolved to. */
  readonly file: string;
  /** The folder it resolved from: `baseDir` for a relative path, else the search folder that had it. */
  readonly dir: string;
  readonly plugins: readonly PluginV1[];
}

/**
 * Imports the plugin modules a config names — package names or relative paths — and returns each
 * with its plugins. A module provides plugins as its default export: one plugin, an array, or
 * `{ plugins }`. Two different plugins of one kind and id are an `E_DUPLICATE_PLUGIN` error, as in
 * `createRegistry`; the same module named twice (one resolved file) is not.
 */
export async function loadPluginModules(
  specifiers: readonly string[],
  options: LoadPluginsOptions,
): Promise<LoadedPluginModule[]> {
  const out: LoadedPluginModule[] = [];
  const byFile = new Map<string, readonly PluginV1[]>();
  const seen = new Map<string, PluginV1>();
  for (const [index, specifier] of specifiers.entries()) {
    const at = (error: unknown) => located(error, options.source, index);
    let resolved: { file: string; dir: string };
    try {
      resolved = resolveFromDirs(specifier, options);
    } catch (error) {
      throw at(error);
    }
    let plugins = byFile.get(resolved.file);
    if (!plugins) {
      try {
        plugins = await importPlugins(specifier, resolved.file);
      } catch (error) {
        throw at(error);
      }
      byFile.set(resolved.file, plugins);
      for (const plugin of plugins) {
        const key = `${plugin.kind}:${plugin.id}`;
        const existing = seen.get(key);
        if (existing && existing !== plugin) throw at(duplicatePluginError(existing, plugin));
        seen.set(key, plugin);
      }
    }
    out.push({ specifier, ...resolved, plugins });
  }
  return out;
}

/**
 * The plugins of the modules a config names (see `loadPluginModules`), in order, each once: a
 * module named twice gives its plugins once.
 */
export async function loadPlugins(
  specifiers: readonly string[],
  options: LoadPluginsOptions,
): Promise<PluginV1[]> {
  const modules = await loadPluginModules(specifiers, options);
  return [...new Set(modules.flatMap((m) => m.plugins))];
}

/** `loadPlugins` then `createRegistry`, with optional plugins given in code first. */
export async function loadRegistry(
  specifiers: readonly string[],
  options: LoadPluginsOptions & { plugins?: PluginList },
): Promise<Registry> {
  return createRegistry([...(options.plugins ?? []), ...(await loadPlugins(specifiers, options))]);
}

/** A relative path from `baseDir`; a package name from the first search folder that has it. */
function resolveFromDirs(specifier: string, options: LoadPluginsOptions): { file: string; dir: string } {
  const baseDir = path.resolve(options.baseDir);
  const dirs = isPath(specifier) ? [baseDir] : (options.searchDirs ?? [baseDir]).map((d) => path.resolve(d));
  let firstError: unknown;
  for (const dir of dirs) {
    try {
      return { file: resolvePluginModule(specifier, dir), dir };
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}

function isPath(specifier: string): boolean {
  return specifier.startsWith('.') || path.isAbsolute(specifier);
}

async function importPlugins(specifier: string, file: string): Promise<PluginV1[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.PluginLoad,
      message: `could not import plugin module "${specifier}": ${(error as Error).message}`,
      file,
      cause: error,
    });
  }
  const exported = unwrapDefault(mod.default ?? mod);
  const list = Array.isArray(exported)
    ? exported
    : exported && typeof exported === 'object' && 'plugins' in exported
      ? (exported as { plugins: PluginList }).plugins
      : [exported];
  const plugins = flattenPlugins(list as PluginList);
  for (const plugin of plugins) assertPlugin(plugin, specifier);
  return plugins;
}

/** The error, stamped with where the specifier was written (when known). */
function located(error: unknown, source: LoadPluginsOptions['source'], index: number): unknown {
  if (!source) return error;
  const where = { path: `${source.path}[${index}]`, file: source.file };
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

// A CJS module imported from ESM puts module.exports on `default`, so a transpiled
// `export default` arrives as `{ default: { default: plugins } }`.
function unwrapDefault(value: unknown): unknown {
  let current = value;
  while (current && typeof current === 'object' && !Array.isArray(current) && 'default' in current) {
    const keys = Object.keys(current).filter((k) => k !== '__esModule');
    if (keys.length !== 1 && !('__esModule' in current)) break;
    current = (current as { default: unknown }).default;
  }
  return current;
}

/**
 * Resolves a specifier to a module file the way `import` would from `baseDir`: an exports map is
 * read with the conditions `import`, `node`, `default`, `module` and those the process (or this
 * worker thread) was started with (`--conditions` / `-C`, in `execArgv` or `NODE_OPTIONS`), so a
 * workspace run from source (`--conditions=@omnifuse/source`) loads plugins from source too.
 */
export function resolvePluginModule(
  specifier: string,
  baseDir: string,
  conditions: readonly string[] = activeConditions(),
): string {
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    const file = path.resolve(baseDir, specifier);
    if (!existsSync(file)) {
      throw new OmnifuseError({
        code: ErrorCode.PluginLoad,
        message: `plugin module "${specifier}" does not exist`,
        file,
      });
    }
    return file;
  }
  const { name, subpath } = splitPackageSpecifier(specifier);
  for (let dir = path.resolve(baseDir); ; dir = path.dirname(dir)) {
    const packageDir = path.join(dir, 'node_modules', name);
    const manifest = path.join(packageDir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as PackageJson;
      const target =
        exportTarget(pkg, subpath, conditions) ??
        (subpath === '.' ? (pkg.module ?? pkg.main ?? 'index.js') : null);
      if (!target) {
        throw new OmnifuseError({
          code: ErrorCode.PluginLoad,
          message: `package "${name}" does not export "${subpath}"`,
          file: manifest,
        });
      }
      return path.join(packageDir, target);
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new OmnifuseError({
    code: ErrorCode.PluginLoad,
    message: `plugin package "${name}" is not installed; install it with: npm install ${name}`,
    details: { package: name, searchedFrom: baseDir },
  });
}

interface PackageJson {
  exports?: unknown;
  module?: string;
  main?: string;
}

function splitPackageSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, count).join('/');
  const rest = parts.slice(count).join('/');
  return { name, subpath: rest ? `./${rest}` : '.' };
}

const CONDITIONS = ['import', 'node', 'default', 'module'];

/**
 * The conditions `import` resolves with here: Node's own and every `--conditions=name`,
 * `--conditions name`, `-C name` or `-C=name` in `process.execArgv` (a worker thread's own
 * `execArgv`) and `NODE_OPTIONS`.
 */
export function activeConditions(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const args = [...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)];
  const extra: string[] = [];
  args.forEach((arg, i) => {
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg);
    if (inline) extra.push(inline[1]!);
    else if ((arg === '--conditions' || arg === '-C') && args[i + 1]) extra.push(args[i + 1]!);
  });
  return [...CONDITIONS, ...extra];
}

function exportTarget(pkg: PackageJson, subpath: string, conditions: readonly string[]): string | null {
  const { exports } = pkg;
  if (exports === undefined) return null;
  const isSubpathMap =
    typeof exports === 'object' && exports !== null && Object.keys(exports).some((k) => k.startsWith('.'));
  const entry = isSubpathMap
    ? (exports as Record<string, unknown>)[subpath]
    : subpath === '.'
      ? exports
      : undefined;
  return pickCondition(entry, conditions);
}

function pickCondition(entry: unknown, conditions: readonly string[]): string | null {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const item of entry) {
      const found = pickCondition(item, conditions);
      if (found) return found;
    }
    return null;
  }
  if (entry && typeof entry === 'object') {
    for (const [condition, value] of Object.entries(entry)) {
      if (conditions.includes(condition)) {
        const found = pickCondition(value, conditions);
        if (found) return found;
      }
    }
  }
  return null;
}
