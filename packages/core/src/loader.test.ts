import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from './errors.js';
import { activeConditions, loadPlugins, loadRegistry, resolvePluginModule } from './loader.js';

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

describe('loadRegistry', () => {
  it('merges plugins given in code with loaded ones and detects duplicates', async () => {
    const registry = await loadRegistry(['./local-plugin.mjs'], { baseDir: dir });
    expect(registry.encoder('local:one').modality).toBe('text');
    const error = await loadRegistry(['./local-plugin.mjs'], {
      baseDir: dir,
      plugins: registry.list(),
    }).catch((e: unknown) => e);
    expect((error as OmnifuseError).code).toBe(ErrorCode.DuplicatePlugin);
  });
});
