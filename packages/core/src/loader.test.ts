import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from './errors.js';
import {
  activeConditions,
  loadPluginModules,
  loadPlugins,
  loadRegistry,
  resolvePluginModule,
} from './loader.js';

const dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pluginSource = (id: string) =>
  `{ specificationVersion: 'v1', kind: 'encoder', id: '${id}', modality: 'text', create: () => ({}) }`;

function writePackage(name: string, files: Record<string, string>, manifest: Record<string, unknown>): void {
  const root = path.join(dir, 'node_modules', name);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text);
}

writePackage(
  '@acme/omnifuse-words',
  { 'index.mjs': `export default [${pluginSource('words:bag')}, ${pluginSource('words:count')}];` },
  { type: 'module', exports: { '.': { import: './index.mjs', require: './index.cjs' } } },
);
writePackage(
  'omnifuse-cjs-plugin',
  { 'index.js': `exports.__esModule = true; exports.default = { plugins: [${pluginSource('cjs:one')}] };` },
  { main: 'index.js' },
);
writeFileSync(path.join(dir, 'local-plugin.mjs'), `export default ${pluginSource('local:one')};`);
writeFileSync(path.join(dir, 'not-a-plugin.mjs'), 'export default { hello: 1 };');

describe('loadPlugins', () => {
  it('loads packages by name (exports map, ESM) and local files', async () => {
    const plugins = await loadPlugins(['@acme/omnifuse-words', './local-plugin.mjs'], { baseDir: dir });
    expect(plugins.map((p) => p.id)).toEqual(['words:bag', 'words:count', 'local:one']);
  });

  it('unwraps a transpiled CommonJS default export holding { plugins }', async () => {
    const plugins = await loadPlugins(['omnifuse-cjs-plugin'], { baseDir: path.join(dir, 'nested') });
    expect(plugins.map((p) => p.id)).toEqual(['cjs:one']);
  });

  it('tells how to install a package that is missing', async () => {
    const error = await loadPlugins(['@omnifuse/modality-vision'], { baseDir: dir }).catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect((error as OmnifuseError).code).toBe(ErrorCode.PluginLoad);
    expect((error as OmnifuseError).message).toContain('npm install @omnifuse/modality-vision');
  });

  it('rejects a module whose default export is not a plugin', async () => {
    const error = await loadPlugins(['./not-a-plugin.mjs'], { baseDir: dir }).catch((e: unknown) => e);
    expect((error as OmnifuseError).code).toBe(ErrorCode.SpecVersion);
    expect((error as OmnifuseError).message).toContain('not-a-plugin.mjs');
  });

  it('resolves an exports map with the conditions the process runs with (--conditions, -C, NODE_OPTIONS)', () => {
    writePackage(
      '@acme/omnifuse-dual',
      { 'source.mjs': `export default ${pluginSource('dual:source')};` },
      { type: 'module', exports: { '.': { '@acme/source': './source.mjs', import: './dist/missing.mjs' } } },
    );
    const root = path.join(dir, 'node_modules', '@acme', 'omnifuse-dual');
    // Without the condition, `import` picks the (unbuilt) dist entry, as Node would.
    expect(resolvePluginModule('@acme/omnifuse-dual', dir, activeConditions([], ''))).toBe(
      path.join(root, 'dist', 'missing.mjs'),
    );
    for (const [execArgv, nodeOptions] of [
      [['--conditions=@acme/source'], ''],
      [['--conditions', '@acme/source'], ''],
      [['-C', '@acme/source'], ''],
      [[], '--max-old-space-size=512 -C=@acme/source'],
    ] as const) {
      const conditions = activeConditions(execArgv, nodeOptions);
      expect(conditions).toContain('@acme/source');
      expect(resolvePluginModule('@acme/omnifuse-dual', dir, conditions)).toBe(path.join(root, 'source.mjs'));
    }
  });

  it('rejects a relative path that does not exist', () => {
    expect(() => resolvePluginModule('./nope.js', dir)).toThrow(/does not exist/);
  });
});

describe('loadPluginModules', () => {
  const other = path.join(dir, 'other');
  mkdirSync(path.join(other, 'node_modules', 'omnifuse-beside'), { recursive: true });
  writeFileSync(
    path.join(other, 'node_modules', 'omnifuse-beside', 'package.json'),
    JSON.stringify({ name: 'omnifuse-beside', version: '1.0.0', type: 'module', main: 'index.js' }),
  );
  writeFileSync(
    path.join(other, 'node_modules', 'omnifuse-beside', 'index.js'),
    `export default ${pluginSource('beside:one')};`,
  );
  writeFileSync(path.join(dir, 'clash.mjs'), `export default ${pluginSource('local:one')};`);

  it('looks a package name up in each search folder in order and says which one had it', async () => {
    const modules = await loadPluginModules(
      ['@acme/omnifuse-words', 'omnifuse-beside', './local-plugin.mjs'],
      {
        baseDir: dir,
        searchDirs: [dir, other],
      },
    );
    expect(modules.map((m) => [m.specifier, m.dir, m.plugins.map((p) => p.id)])).toEqual([
      ['@acme/omnifuse-words', dir, ['words:bag', 'words:count']],
      ['omnifuse-beside', other, ['beside:one']],
      ['./local-plugin.mjs', dir, ['local:one']],
    ]);
    expect(modules[1]!.file).toBe(path.join(other, 'node_modules', 'omnifuse-beside', 'index.js'));
  });

  it('resolves a relative path from baseDir only, whatever the search folders', async () => {
    const error = await loadPluginModules(['./local-plugin.mjs'], {
      baseDir: other,
      searchDirs: [other, dir],
    }).catch((e: unknown) => e);
    expect((error as OmnifuseError).message).toMatch(/does not exist/);
  });

  it('names the config file and the path plugins[i] when a module cannot be found', async () => {
    const error = await loadPluginModules(['./local-plugin.mjs', 'omnifuse-nowhere'], {
      baseDir: dir,
      searchDirs: [dir, other],
      source: { file: '/configs/model.json', path: 'plugins' },
    }).catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: ErrorCode.PluginLoad,
      path: 'plugins[1]',
      file: '/configs/model.json',
    });
    expect((error as OmnifuseError).message).toContain('npm install omnifuse-nowhere');
  });

  it('refuses two modules with a plugin of one kind and id, as createRegistry does, naming the second', async () => {
    const error = await loadPluginModules(['./local-plugin.mjs', './clash.mjs'], {
      baseDir: dir,
      source: { path: 'plugins' },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.DuplicatePlugin, plugin: 'local:one', path: 'plugins[1]' });
    expect((error as OmnifuseError).message).toContain('two encoder plugins share the id "local:one"');
  });

  it('takes the same module named twice (one resolved file) as one, not a duplicate', async () => {
    const modules = await loadPluginModules(['./local-plugin.mjs', path.join(dir, 'local-plugin.mjs')], {
      baseDir: dir,
    });
    expect(modules).toHaveLength(2);
    expect(modules[1]!.plugins).toBe(modules[0]!.plugins);
    const plugins = await loadPlugins(['./local-plugin.mjs', path.join(dir, 'local-plugin.mjs')], {
      baseDir: dir,
    });
    expect(plugins.map((p) => p.id)).toEqual(['local:one']);
  });
});

describe('loadRegistry', () => {
  it('merges plugins given in code with loaded ones: the same plugin again is one, another with its id an error', async () => {
    const registry = await loadRegistry(['./local-plugin.mjs'], { baseDir: dir });
    expect(registry.encoder('local:one').modality).toBe('text');
    const again = await loadRegistry(['./local-plugin.mjs'], { baseDir: dir, plugins: registry.list() });
    expect(again.list().map((p) => p.id)).toEqual(['local:one']);
    const error = await loadRegistry(['./clash.mjs'], {
      baseDir: dir,
      plugins: registry.list(),
    }).catch((e: unknown) => e);
    expect((error as OmnifuseError).code).toBe(ErrorCode.DuplicatePlugin);
  });
});
