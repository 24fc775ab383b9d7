import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPluginModules, pluginSearchDirs } from './plugins.js';
import { CLI_PACKAGE_DIR } from './versions.js';

const work = mkdtempSync(path.join(tmpdir(), 'omnifuse-cli-plugins-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const plugin = (id: string) =>
  `{ specificationVersion: 'v1', kind: 'encoder', id: '${id}', modality: 'text', create: () => ({}) }`;
const project = path.join(work, 'project');
const beside = path.join(work, 'cli-install');
function writePackage(root: string, name: string, id: string): void {
  const dir = path.join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, type: 'module', main: 'index.js' }));
  writeFileSync(path.join(dir, 'index.js'), `export default ${plugin(id)};`);
}
writePackage(project, 'omnifuse-local', 'local:words');
writePackage(beside, 'omnifuse-beside', 'beside:words');
writeFileSync(path.join(project, 'mine.mjs'), `export default ${plugin('mine:words')};`);
writeFileSync(path.join(project, 'clash.mjs'), `export default ${plugin('local:words')};`);
const config = path.join(project, 'omnifuse.json');

describe('loadPluginModules (core loader, CLI search folders)', () => {
  it('searches the config folder, then the next folder, and says which modules train() finds itself', async () => {
    const modules = await loadPluginModules(
      ['omnifuse-local', 'omnifuse-beside', './mine.mjs'],
      [project, beside],
    );
    expect(modules.map((m) => [m.specifier, m.fromFirstDir, m.plugins.map((p) => p.id)])).toEqual([
      ['omnifuse-local', true, ['local:words']],
      ['omnifuse-beside', false, ['beside:words']],
      ['./mine.mjs', true, ['mine:words']],
    ]);
    expect(modules[1]!.file).toBe(path.join(beside, 'node_modules', 'omnifuse-beside', 'index.js'));
  });

  it('puts the CLI install after the config folder', () => {
    expect(pluginSearchDirs(project)).toEqual([project, CLI_PACKAGE_DIR]);
  });

  it('reports a package found nowhere at plugins[i] of the config, with the install command', async () => {
    const error = await loadPluginModules(
      ['omnifuse-local', 'omnifuse-missing'],
      [project, beside],
      config,
    ).catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.PluginLoad, path: 'plugins[1]', file: config });
    expect((error as Error).message).toContain('npm install omnifuse-missing');
  });

  it('refuses two modules with one plugin id at the second one; the same module twice is fine', async () => {
    const error = await loadPluginModules(['omnifuse-local', './clash.mjs'], [project], config).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: ErrorCode.DuplicatePlugin,
      plugin: 'local:words',
      path: 'plugins[1]',
    });
    const twice = await loadPluginModules(
      ['omnifuse-local', './node_modules/omnifuse-local/index.js'],
      [project],
      config,
    );
    expect(twice[1]!.plugins).toBe(twice[0]!.plugins);
  });
});
