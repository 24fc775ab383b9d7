import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataset } from '@omnifuse/core';
import { train } from '@omnifuse/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cliEntry = path.join(root, 'packages/cli/src/cli.ts');
const tsx = path.join(root, 'node_modules/tsx/dist/esm/index.mjs');

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
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

function points(count: number, seed: number, shift: number) {
  let state = seed;
  const random = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  return Array.from({ length: count }, (_, i) => {
    const label = i % 2 === 0 ? 'up' : 'down';
    const sign = label === 'up' ? 1 : -1;
    return { id: `p${i}`, point: [sign * 2 + random() + shift, random()], label };
  });
}

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-cli-fine-tune-'));
  const trained = await train({
    spec: {
      inputs: [{ field: 'point', encoder: 'vector:mlp', options: { hidden: [4] } }],
      output: { type: 'classification', field: 'label', head: { hidden: [4] } },
      split: { type: 'stratified', by: 'label', ratios: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 1 },
      training: { epochs: 3, batchSize: 8, learningRate: 0.05 },
      backend: 'cpu',
    },
    dataset: createDataset(points(40, 3, 0)),
    bundleDir: path.join(dir, 'model'),
    cache: false,
  });
  trained.model.dispose();
  const shifted = points(40, 7, 0.5);
  writeFileSync(path.join(dir, 'new.jsonl'), `${shifted.map((r) => JSON.stringify(r)).join('\n')}\n`);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('omnifuse fine-tune', () => {
  it('fine-tunes a bundle with an encoder frozen and writes a new bundle', async () => {
    const run = await omnifuse(
      [
        'fine-tune',
        'model',
        '--data',
        'new.jsonl',
        '--freeze',
        'point',
        '--lr',
        'head/*=0.02',
        '--epochs',
        '2',
        '--out',
        'tuned',
      ],
      dir,
    );
    expect(run.stderr).toMatch(/saved tuned/);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ bundle: path.join(dir, 'tuned'), epochs: 2, labels: ['down', 'up'] });
    const manifest = JSON.parse(readFileSync(path.join(dir, 'tuned', 'omnifuse.json'), 'utf8'));
    expect(manifest.spec.training.epochs).toBe(2);
  });

  it('exits 1 listing the layers for a pattern that selects none, 2 without --data, and has --help', async () => {
    const bad = await omnifuse(['fine-tune', 'model', '--data', 'new.jsonl', '--freeze', 'image/*'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error E_OPTIONS: .*"image\/\*" matches no layer.*groups: point, head/);

    const usage = await omnifuse(['fine-tune', 'model'], dir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing --data/);

    const help = await omnifuse(['fine-tune', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: omnifuse fine-tune <bundle> \[options\]/);
    expect(help.stdout).toMatch(/--freeze <a,b>/);
  });
});
