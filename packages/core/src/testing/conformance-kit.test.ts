import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = path.resolve(here, '../../test/fixtures/kit/vitest.config.ts');

/** Each broken plugin (a describe block of the fixture) and the checks it must fail, by title. */
const expectedFailures: Record<string, string[]> = {
  'accepts-any-options': ['create rejects invalid options'],
  'typed-array-state': ['fitted state round-trips'],
  'random-preprocess': ['fitted state round-trips', 'preprocess is deterministic'],
  'mutating-augment': ['augment is seeded-deterministic'],
  'unprefixed-layer': ['build returns', 'same seed', 'rebuilt model with the saved weights'],
  'unseeded-layer': ['same seed'],
  'unregistered-layer': ['reloads from JSON'],
  'dead-gradient': ['gradients reach'],
  'raw-type-error': ['rejects bad input'],
  'presence-blind': ['weights that sum to 1', 'missing modality’s values'],
  'first-only': ['output changes', 'gradients reach', 'reloads from JSON'],
};

interface JsonReport {
  testResults: { assertionResults: { ancestorTitles: string[]; title: string; status: string }[] }[];
}

// The kit is only useful if it fails plugins that break the contract, each on the right check.
it('fails each deliberately broken plugin on exactly the checks it breaks', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'omnifuse-kit-'));
  try {
    const vitestBin = path.join(
      path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
      'vitest.mjs',
    );
    const outputFile = path.join(dir, 'report.json');
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [vitestBin, 'run', '--config', config, '--reporter=json', `--outputFile=${outputFile}`],
        { env: { ...env, NO_COLOR: '1' }, stdio: 'ignore' },
      );
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code, 'the fixture run must fail').toBe(1);
    const report = JSON.parse(await readFile(outputFile, 'utf8')) as JsonReport;
    const failed = new Map<string, string[]>();
    let passed = 0;
    for (const result of report.testResults.flatMap((file) => file.assertionResults)) {
      if (result.status === 'passed') passed++;
      if (result.status !== 'failed') continue;
      const plugin = result.ancestorTitles[0]!.split(':')[0]!;
      failed.set(plugin, [...(failed.get(plugin) ?? []), result.title]);
    }
    expect([...failed.keys()].sort()).toEqual(Object.keys(expectedFailures).sort());
    for (const [plugin, expected] of Object.entries(expectedFailures)) {
      const titles = failed.get(plugin)!;
      for (const part of expected) {
        expect(
          titles.filter((t) => t.includes(part)),
          `${plugin} must fail "${part}"`,
        ).toHaveLength(1);
      }
      expect(titles, `${plugin} must fail only the expected checks`).toHaveLength(expected.length);
    }
    expect(passed).toBeGreaterThan(70);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
