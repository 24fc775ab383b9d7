// Data-parallel training on worker threads: the gradient sum is exact and each row gets the dropout
// mask and augmentation one thread would give it, so without batch norm any number of workers
// follows the single-thread loss curve; failures in a worker come back as OmnifuseErrors.
import path from 'node:path';
import {
  createDataset,
  createRng,
  type ModelSpecInput,
  OmnifuseError,
  type TrainingHistory,
} from '@omnifuse/core';
import { createMockEncoderPlugin } from '@omnifuse/core/testing';
import { describe, expect, it } from 'vitest';
import { mnistRecords, readMnist } from '../fixtures/mnist.js';
import { train } from '../train.js';
import { physicalCores, resolveWorkers, shardRows } from './cores.js';

const PACKAGE_DIR = path.resolve(import.meta.dirname, '../..');

describe('worker counts and shards', () => {
  it('splits a batch into contiguous shards, the first ones one row longer', () => {
    expect(shardRows([5, 6, 7, 8, 9], 2)).toEqual([
      [5, 6, 7],
      [8, 9],
    ]);
    expect(shardRows([1, 2], 3)).toEqual([[1], [2], []]);
  });

  it('auto is the physical cores capped by the batch size, and 1 on backends that spread their own work', () => {
    expect(resolveWorkers('auto', { batchSize: 64, backend: 'wasm', cores: 8 })).toBe(8);
    expect(resolveWorkers('auto', { batchSize: 4, backend: 'cpu', cores: 8 })).toBe(4);
    expect(resolveWorkers('auto', { batchSize: 64, backend: 'tensorflow', cores: 8 })).toBe(1);
    expect(resolveWorkers(undefined, { batchSize: 64, backend: 'wasm' })).toBe(1);
    expect(resolveWorkers(3, { batchSize: 2, backend: 'wasm' })).toBe(2);
    expect(() => resolveWorkers(2, { batchSize: 64, backend: 'webgpu' })).toThrow(/wasm and cpu backends/);
  });

  it('counts cores, not hyper-threads, from /proc/cpuinfo', () => {
    const cpu = (physical: number, core: number) =>
      `processor\t: x\nphysical id\t: ${physical}\ncore id\t\t: ${core}\n`;
    // Two hyper-threads on each of two cores of one socket: 2 (at most the logical count).
    const info = [cpu(0, 0), cpu(0, 0), cpu(0, 1), cpu(0, 1)].join('\n');
    expect(physicalCores(info)).toBe(Math.min(2, physicalCores(null)));
  });
});

/** Three noisy clusters in 8 dimensions, unbalanced so class weights matter. */
function clusters(count: number) {
  const rng = createRng(5);
  return Array.from({ length: count }, (_, i) => {
    const label = i % 5 === 0 ? 2 : i % 2;
    return {
      id: `r${i}`,
      x: Array.from({ length: 8 }, (_, d) => (d % 3 === label ? 1.2 : 0) + rng.normal()),
      label: ['a', 'b', 'c'][label]!,
    };
  });
}

const exactSpec = (workers: number): ModelSpecInput => ({
  // Noise augmentation and dropout (drawn in the workers), no batch norm: nothing depends on the shard.
  inputs: [{ field: 'x', encoder: 'vector:mlp', options: { hidden: [16], noise: 0.2, dropout: 0.1 } }],
  output: { type: 'classification', field: 'label', head: { hidden: [8], dropout: 0.2 } },
  split: { type: 'random', ratios: { train: 0.8, validation: 0.2 }, seed: 3 },
  training: {
    epochs: 3,
    batchSize: 10,
    learningRate: 0.01,
    optimizer: 'adamw',
    gradientClipNorm: 1,
    classWeights: 'balanced',
    labelSmoothing: 0.1,
    seed: 11,
    workers,
  },
  backend: 'wasm',
});

describe('train() with data-parallel workers', () => {
  it('follows the single-thread loss curve with 2 and 3 workers (odd shards, last batch short)', async () => {
    // 196 training rows: batches of 10 end with one of 6, split 3/3 and 2/2/2.
    const dataset = createDataset(clusters(245));
    const curves = [];
    for (const workers of [1, 2, 3]) {
      const result = await train({ spec: exactSpec(workers), dataset, cache: false });
      curves.push(result.history.epochs);
      result.model.dispose?.();
    }
    const [one, two, three] = curves;
    expect(one).toHaveLength(3);
    for (const other of [two!, three!]) {
      other.forEach((epoch, i) => {
        for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const) {
          expect(epoch[key], `${key} at epoch ${i}`).toBeCloseTo(one![i]![key]!, 5);
        }
      });
    }
    // It learned: the curves are not flat.
    expect(one![2]!.val_loss).toBeLessThan(one![0]!.val_loss! * 0.9);
  });

  it('matches one worker within 1% on MNIST with dropout after 3 epochs', async () => {
    const records = [
      ...mnistRecords(readMnist('train', 600), 'train', 'train-'),
      ...mnistRecords(readMnist('train', 200, 600), 'validation', 'val-'),
    ];
    const spec = (workers: number): ModelSpecInput => ({
      inputs: [{ field: 'pixels', encoder: 'vector:mlp', options: { hidden: [64] } }],
      output: { type: 'classification', field: 'digit', head: { hidden: [32], dropout: 0.1 } },
      split: { type: 'column', column: 'split' },
      training: { epochs: 3, batchSize: 32, learningRate: 2e-3, seed: 7, workers },
      backend: 'wasm',
    });
    const dataset = createDataset(records);
    const runs: TrainingHistory[] = [];
    for (const workers of [1, 2])
      runs.push((await train({ spec: spec(workers), dataset, cache: false })).history);
    const last = (i: number) => runs[i]!.epochs.at(-1)!;
    expect(Math.abs(last(1).loss! - last(0).loss!) / last(0).loss!).toBeLessThan(0.01);
    expect(Math.abs(last(1).val_loss! - last(0).val_loss!) / last(0).val_loss!).toBeLessThan(0.01);
  });

  it('names a plugin the workers cannot import: one given in code without a package', async () => {
    const plugin = createMockEncoderPlugin({ id: 'test:mock-vector' });
    const records = clusters(40).map(({ id, x, label }) => ({ id, x: x[0]!, label }));
    const attempt = train({
      spec: {
        inputs: [{ field: 'x', encoder: 'test:mock-vector' }],
        output: { type: 'classification', field: 'label' },
        training: { epochs: 1, batchSize: 8, workers: 2 },
        backend: 'wasm',
      },
      registry: [plugin],
      dataset: createDataset(records),
      cache: false,
    });
    const error = await attempt.catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/cannot import test:mock-vector/);
    expect((error as OmnifuseError).code).toBe('E_PLUGIN_NOT_FOUND');
  });

  it('reports a failure in a worker as the calling thread does: same code, plugin, record and field', async () => {
    // The plugin is a module named in the spec, so the workers import it too.
    const spec = (workers: number): ModelSpecInput => ({
      plugins: ['./src/fixtures/flaky-augment-plugin.ts'],
      inputs: [{ field: 'x', encoder: 'test:flaky-augment', options: { hidden: [4] } }],
      output: { type: 'classification', field: 'label' },
      split: { type: 'random', ratios: { train: 1 }, seed: 1 },
      training: { epochs: 1, batchSize: 8, workers },
      backend: 'wasm',
    });
    const dataset = createDataset(clusters(40));
    const errors = [];
    for (const workers of [1, 2]) {
      errors.push(
        await train({ spec: spec(workers), dataset, cache: false, baseDir: PACKAGE_DIR }).catch(
          (e: unknown) => e,
        ),
      );
    }
    const fields = errors.map((error) => {
      expect(OmnifuseError.isInstance(error)).toBe(true);
      const { code, plugin, record, field, step } = error as OmnifuseError;
      return { code, plugin, record, field, step };
    });
    expect(fields[0]).toEqual({
      code: 'E_PLUGIN_FAILED',
      plugin: 'test:flaky-augment',
      record: 'r7',
      field: 'x',
      step: 'augment',
    });
    expect(fields[1]).toEqual(fields[0]);
    expect((errors[1] as Error).message).toMatch(/cannot augment r7/);
  });

  it('turns a heap overflow in a worker into the error the calling thread gives: batch and input sizes', async () => {
    const spec = (workers: number): ModelSpecInput => ({
      plugins: ['./src/fixtures/heap-overflow-plugin.ts'],
      inputs: [{ field: 'x', encoder: 'test:heap-overflow', options: { hidden: [4] } }],
      output: { type: 'classification', field: 'label' },
      split: { type: 'random', ratios: { train: 1 }, seed: 1 },
      training: { epochs: 1, batchSize: 8, workers },
      backend: 'wasm',
    });
    const dataset = createDataset(clusters(40));
    const errors: unknown[] = [];
    for (const workers of [1, 2]) {
      errors.push(
        await train({ spec: spec(workers), dataset, cache: false, baseDir: PACKAGE_DIR }).catch(
          (e: unknown) => e,
        ),
      );
    }
    for (const error of errors) {
      expect(OmnifuseError.isInstance(error)).toBe(true);
      expect((error as OmnifuseError).code).toBe('E_TRAINING');
      expect((error as Error).message).toMatch(/WebAssembly heap ran out .* lower training\.batchSize/);
    }
    // One thread takes the whole batch of 8; each of two workers its 4 rows.
    expect((errors[0] as OmnifuseError).found).toMatchObject({ batchSize: 8 });
    expect((errors[1] as OmnifuseError).found).toMatchObject({ batchSize: 4 });
    expect(Object.values((errors[1] as OmnifuseError).found as object)).toHaveLength(2);
  });
});
