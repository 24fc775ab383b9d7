import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDataset, createRng, type ModelSpecInput, type PluginList } from '@omnifuse/core';
import { train } from '@omnifuse/trainer';
import { expect } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../..');
const CHILD = path.join(import.meta.dirname, 'fixtures/predict-fresh.ts');

export interface FreshProcessReloadOptions {
  /** The fusion package, imported by name here and in the child, e.g. `@omnifuse/fusion-concat`. */
  readonly fusionPackage: string;
  /** The spec's `fusion`. */
  readonly fusion: { readonly type: string; readonly options?: unknown };
  /** Milliseconds the child may take; default 60 000. */
  readonly timeout?: number;
}

/** Two numeric vectors (`b` optional, missing in every fifth record) and a three-class label. */
function syntheticRecords(n: number, seed: number): Record<string, unknown>[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = i % 3;
    return {
      id: `r${i}`,
      a: [label + 0.3 * rng.normal(), rng.normal(), 0.5 * label],
      b: i % 5 === 4 ? null : [label - 1 + 0.3 * rng.normal(), rng.normal()],
      label: ['red', 'green', 'blue'][label],
    };
  });
}

/**
 * Trains a two-input model with the given fusion for 2 epochs (cpu, `vector:mlp` encoders), saves the
 * bundle to a temp folder, predicts a few records here (one without the optional input), then loads
 * the bundle in a fresh `node` process and expects the very same predictions: probabilities and
 * fusion weights, to the bit (same backend, same kernels). Call it inside a vitest test.
 */
export async function expectFreshProcessReload(options: FreshProcessReloadOptions): Promise<void> {
  const registry = (await import(options.fusionPackage)).default as PluginList;
  const dir = await mkdtemp(path.join(tmpdir(), 'omnifuse-reload-'));
  try {
    const bundleDir = path.join(dir, 'bundle');
    const result = await train({
      dataset: createDataset(syntheticRecords(60, 7), { fieldTypes: { label: 'category' } }),
      registry,
      bundleDir,
      cache: false,
      backend: 'cpu',
      spec: {
        inputs: [
          { field: 'a', encoder: 'vector:mlp', options: { hidden: [8] } },
          { field: 'b', encoder: 'vector:mlp', options: { hidden: [8] }, optional: true },
        ],
        fusion: options.fusion as ModelSpecInput['fusion'],
        output: { type: 'classification', field: 'label' },
        split: { type: 'random', ratios: { train: 1 }, seed: 1 },
        training: { epochs: 2, batchSize: 16, seed: 1 },
      },
    });
    const records = syntheticRecords(6, 99).map((r, i) => (i === 1 ? { ...r, b: null } : r));
    const here = await result.model.predict(records);
    expect(here, 'predictions in the training process').toHaveLength(records.length);
    result.model.dispose();
    const recordsFile = path.join(dir, 'records.json');
    await writeFile(recordsFile, JSON.stringify(records));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=@omnifuse/source',
        '--import',
        'tsx',
        CHILD,
        options.fusionPackage,
        bundleDir,
        recordsFile,
      ],
      { cwd: REPO, timeout: options.timeout ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const fresh = JSON.parse(stdout) as { warnings: unknown[]; predictions: unknown[] };
    expect(fresh.warnings, 'bundle warnings in the fresh process').toEqual([]);
    // Through JSON both sides, so only what a user can see is compared.
    expect(fresh.predictions, 'predictions of the reloaded bundle').toEqual(JSON.parse(JSON.stringify(here)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
