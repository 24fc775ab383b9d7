// Acceptance test of the published shape of @omnifuse/core: the packed tarball, installed in a
// project outside the monorepo, lets a third-party plugin run the conformance kit and be loaded by
// package name from a config.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const coreDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(coreDir, 'test', 'fixtures', 'pack');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** Tests the kit registers for the fixture plugin: 13 checks, 2 bad inputs (see char-count.test.js). */
const EXPECTED_CONFORMANCE_TESTS = 15;

interface Run {
  code: number | null;
  output: string;
}

// The outer npm/vitest leave variables behind that would redirect the inner npm (prefix, workspace)
// or make the inner vitest think it runs inside a worker.
function childEnv(): NodeJS.ProcessEnv {
  const drop =
    /^(VITEST|NODE_OPTIONS$|INIT_CWD$|npm_package_|npm_lifecycle_|npm_config_(prefix|local_prefix|global|workspaces?|include_workspace_root)$)/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !drop.test(key)));
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' };
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function tail(text: string, lines = 40): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

/** Builds with tsup when dist is missing or older than the sources (the root test command builds first). */
async function ensureBuilt(): Promise<void> {
  const entries = ['dist/index.js', 'dist/index.cjs', 'dist/testing/index.js'].map((f) =>
    path.join(coreDir, f),
  );
  const built = entries.every((f) => existsSync(f));
  if (
    built &&
    Math.min(...entries.map((f) => statSync(f).mtimeMs)) >= newestSource(path.join(coreDir, 'src'))
  ) {
    return;
  }
  const result = await run(npx, ['tsup'], coreDir, 180_000);
  expect(result.code, `tsup failed:\n${tail(result.output)}`).toBe(0);
}

describe('npm pack of @omnifuse/core, installed outside the monorepo', () => {
  let work: string;
  let app: string;
  let tarballFiles: string[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    work = await mkdtemp(path.join(os.tmpdir(), 'omnifuse-pack-'));
    const packed = await run(npm, ['pack', '--json', '--pack-destination', work], coreDir, 120_000);
    expect(packed.code, `npm pack failed:\n${tail(packed.output)}`).toBe(0);
    const info = JSON.parse(packed.output.slice(packed.output.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarballFiles = info[0]!.files.map((f) => f.path);

    app = path.join(work, 'app');
    const plugin = path.join(app, 'plugins', 'char-count');
    mkdirSync(plugin, { recursive: true });
    for (const file of ['package.json', 'index.js']) {
      copyFileSync(path.join(fixtures, 'char-count', file), path.join(plugin, file));
    }
    for (const file of ['char-count.test.js', 'check-registry.mjs', 'omnifuse.json']) {
      copyFileSync(path.join(fixtures, file), path.join(app, file));
    }
    const manifest = {
      name: 'omnifuse-pack-check',
      private: true,
      type: 'module',
      dependencies: {
        '@omnifuse/core': `file:../${path.basename(info[0]!.filename)}`,
        '@tensorflow/tfjs': '4.22.0',
        vitest: '4.1.12',
        'omnifuse-plugin-char-count': 'file:./plugins/char-count',
      },
    };
    await writeFile(path.join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const installed = await run(
      npm,
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      app,
      240_000,
    );
    expect(installed.code, `npm install failed:\n${tail(installed.output)}`).toBe(0);
  }, 420_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs the ESM, CJS and type entries of both exports, and no sources or tests', () => {
    for (const file of [
      'package.json',
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/testing/index.js',
      'dist/testing/index.cjs',
      'dist/testing/index.d.ts',
    ]) {
      expect(tarballFiles, file).toContain(file);
    }
    expect(
      tarballFiles.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.test.js')),
    ).toEqual([]);
  });

  it('runs the conformance kit from @omnifuse/core/testing on a third-party plugin', async () => {
    const report = path.join(work, 'vitest-report.json');
    const result = await run(
      npx,
      ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
      app,
      180_000,
    );
    expect(result.code, `vitest failed in the temporary project:\n${tail(result.output, 80)}`).toBe(0);
    const summary = JSON.parse(await readFile(report, 'utf8')) as {
      numTotalTests: number;
      numPassedTests: number;
      numFailedTests: number;
    };
    expect(summary).toMatchObject({
      numTotalTests: EXPECTED_CONFORMANCE_TESTS,
      numPassedTests: EXPECTED_CONFORMANCE_TESTS,
      numFailedTests: 0,
    });
  }, 240_000);

  it('loads the plugin by package name from a config with plain node (ESM and CJS)', async () => {
    const result = await run(process.execPath, ['check-registry.mjs'], app, 60_000);
    expect(result.code, `check-registry.mjs failed:\n${tail(result.output)}`).toBe(0);
    const lastLine = result.output.trim().split('\n').at(-1)!;
    const checked = JSON.parse(lastLine) as {
      plugins: string[];
      encoders: string[];
      plugin: { id: string; packageName: string };
      missing: { isOmnifuseError: boolean; code: string; message: string } | null;
      cjs: { createRegistry: string; sameErrorFamily: boolean };
    };
    expect(checked.plugins).toEqual(['omnifuse-plugin-char-count']);
    expect(checked.encoders).toEqual(['text:char-count']);
    expect(checked.plugin).toEqual({ id: 'text:char-count', packageName: 'omnifuse-plugin-char-count' });
    expect(checked.missing).toMatchObject({ isOmnifuseError: true, code: 'E_PLUGIN_LOAD' });
    expect(checked.missing!.message).toContain('npm install omnifuse-plugin-not-installed');
    expect(checked.cjs).toEqual({ createRegistry: 'function', sameErrorFamily: true });
  }, 120_000);
});
