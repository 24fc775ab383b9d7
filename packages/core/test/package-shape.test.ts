import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PACKAGE = path.resolve(import.meta.dirname, '..');
const REPO = path.resolve(PACKAGE, '../..');
const pkg = JSON.parse(readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as Record<
  string,
  Record<string, string> | undefined
>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : /\.ts$/.test(name) ? [file] : [];
  });
}

describe('@omnifuse/core package shape', () => {
  it('depends on no other workspace package', () => {
    for (const field of ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies']) {
      expect(Object.keys(pkg[field] ?? {}).filter((name) => name.startsWith('@omnifuse/'))).toEqual([]);
    }
    // Tests may use the private, never-published @omnifuse/test-utils (the root devDependency that
    // locates ../shared/data); published code may import no other workspace package.
    const offenders = sourceFiles(path.join(PACKAGE, 'src')).filter((file) =>
      (file.endsWith('.test.ts')
        ? /from ['"]@omnifuse\/(?!core|test-utils)/
        : /from ['"]@omnifuse\/(?!core)/
      ).test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('imports tfjs values only where a backend is chosen, so one tfjs instance serves every package', () => {
    const valueImports = sourceFiles(path.join(PACKAGE, 'src'))
      .filter((file) => !file.endsWith('.test.ts') && !file.includes(`${path.sep}testing${path.sep}`))
      .filter((file) => /^import (?!type)[^;]*from '@tensorflow\/tfjs['-]/m.test(readFileSync(file, 'utf8')));
    expect(valueImports.map((file) => path.relative(PACKAGE, file))).toEqual([]);
  });

  it('loads no backend, kernel or native module: those are @omnifuse/runtime', () => {
    const backendImports = sourceFiles(path.join(PACKAGE, 'src')).filter((file) =>
      /(from |import\()['"](@tensorflow\/tfjs-(backend-|node)|webgpu['"]|@omnifuse\/runtime)/.test(
        readFileSync(file, 'utf8'),
      ),
    );
    expect(backendImports.map((file) => path.relative(PACKAGE, file))).toEqual([]);
    const peers = Object.keys(pkg.peerDependencies ?? {});
    expect(peers.filter((name) => /^@tensorflow\/tfjs-|^webgpu$/.test(name))).toEqual([]);
  });
});

describe('README example', () => {
  const example = path.join(PACKAGE, 'examples/plugin-and-cache.mjs');

  it('is the code of examples/plugin-and-cache.mjs', () => {
    const readme = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
    const body = readFileSync(example, 'utf8').split('\n').slice(1).join('\n');
    expect(readme).toContain(`\`\`\`js\n${body}\`\`\``);
  });

  it('runs and prints what the README shows', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', 'tsx', example],
      { cwd: REPO },
    );
    const readme = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
    const shown = /Output:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(stdout).toBe(shown);
  });
});
