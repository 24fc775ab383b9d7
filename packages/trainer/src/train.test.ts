import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  createDataset,
  createFeatureCache,
  createVectorEncoder,
  type DataCheckReport,
  ErrorCode,
  type ModelSpecInput,
  type OmnifuseError,
  vectorEncoderPlugin,
} from '@omnifuse/core';
import { createMockEncoderPlugin, mockConcatFusionPlugin } from '@omnifuse/core/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistRecords, readMnist } from './fixtures/mnist.js';
import { loadModel } from './load-model.js';
import { type TrainResult, train } from './train.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
let work: string;
let records: ReturnType<typeof mnistRecords>;
let mnist: TrainResult;
let bundleDir: string;

const mnistSpec: ModelSpecInput = {
  inputs: [{ field: 'pixels', encoder: 'vector:mlp', options: { hidden: [64] } }],
  output: { type: 'classification', field: 'digit', head: { hidden: [], dropout: 0.1 } },
  split: { type: 'column', column: 'split' },
  training: {
    epochs: 8,
    batchSize: 32,
    learningRate: 2e-3,
    seed: 7,
    earlyStopping: { monitor: 'val_loss', patience: 3, minDelta: 0 },
  },
  backend: 'wasm',
};

describe('train() on real MNIST', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-train-'));
    records = [
      ...mnistRecords(readMnist('train', 1800), 'train', 'train-'),
      ...mnistRecords(readMnist('train', 200, 1800), 'validation', 'val-'),
      ...mnistRecords(readMnist('t10k', 500), 'test', 'test-'),
    ];
    bundleDir = path.join(work, 'mnist-bundle');
    mnist = await train({
      spec: mnistSpec,
      dataset: createDataset(records),
      bundleDir,
      cache: path.join(work, 'cache'),
    });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe('train() on MNIST', () => {
    it('reaches a clearly better than chance test accuracy', () => {
      expect(mnist.backend).toBe('wasm');
      expect(mnist.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(mnist.metrics.test!.size).toBe(500);
      expect(mnist.metrics.test!.accuracy).toBeGreaterThanOrEqual(0.85);
      expect(mnist.metrics.validation!.size).toBe(200);
      expect(mnist.history.epochs.length).toBeGreaterThan(1);
      expect(mnist.bundle!.manifest.metrics).toMatchObject({
        test: { accuracy: mnist.metrics.test!.accuracy },
      });
      expect(mnist.bundle!.manifest.plugins.map((p) => p.id)).toEqual(['vector:mlp', 'trainer:supervised']);
    });

    it('fills the feature cache, which a later preprocessing pass reads', async () => {
      expect(readdirSync(path.join(work, 'cache')).length).toBeGreaterThan(0);
      const cache = createFeatureCache({ dir: path.join(work, 'cache') });
      const sample = records.filter((r) => r.split === 'test').slice(0, 10);
      expect(await mnist.model.predict(sample, { cache })).toEqual(await mnist.model.predict(sample));
      expect(cache.counters).toMatchObject({ hits: 10, misses: 0 });
    });

    it('predicts identically after save → load in the same process', async () => {
      const sample = records.filter((r) => r.split === 'test').slice(0, 50);
      const before = await mnist.model.predict(sample);
      const loaded = await loadModel(bundleDir);
      expect(loaded.bundle.warnings).toEqual([]);
      const after = await loaded.predict(sample);
      expect(after).toEqual(before);
      expect(after[0]).toMatchObject({ record: 'test-0', prediction: expect.any(String) });
      expect(Object.keys(after[0]!.probabilities!)).toHaveLength(10);
      const accuracy = after.filter((p, i) => p.prediction === sample[i]!.digit).length / sample.length;
      expect(accuracy).toBeGreaterThan(0.7);
      const evaluation = await loaded.evaluate(records.filter((r) => r.split === 'test'));
      expect(evaluation.accuracy).toBeCloseTo(mnist.metrics.test!.accuracy!, 6);
      loaded.dispose();
    });

    it('predicts identically in a fresh process', async () => {
      const sample = records.filter((r) => r.split === 'test').slice(0, 20);
      const file = path.join(work, 'sample.json');
      writeFileSync(file, JSON.stringify(sample));
      const script = path.join(import.meta.dirname, 'fixtures/predict-in-fresh-process.ts');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--conditions=@omnifuse/source', '--import', 'tsx', script, bundleDir, file, 'wasm'],
        { cwd: REPO, maxBuffer: 16 * 1024 * 1024 },
      );
      const fresh = JSON.parse(stdout) as { warnings: string[]; predictions: unknown[] };
      expect(fresh.warnings).toEqual([]);
      expect(fresh.predictions).toEqual(await mnist.model.predict(sample));
    });
  });

  describe('train()', () => {
    const small = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `r${i}`,
        x: [i % 3, (i * 5) % 7, i % 2],
        extra: i % 4 === 0 ? null : i % 3,
        label: ['red', 'green', 'blue'][i % 3]!,
      }));
    const smallSpec = (extra: Partial<ModelSpecInput> = {}): ModelSpecInput => ({
      inputs: [{ field: 'x', encoder: 'vector:mlp', options: { hidden: [8] } }],
      output: { type: 'classification', field: 'label' },
      split: { type: 'random', ratios: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 1 },
      training: { epochs: 2, batchSize: 8 },
      backend: 'wasm',
      ...extra,
    });

    it('fuses an optional input with missing values', async () => {
      const result = await train({
        spec: smallSpec({
          inputs: [
            { field: 'x', encoder: 'vector:mlp', options: { hidden: [8] } },
            { field: 'extra', encoder: 'mock:numbers', optional: true },
          ],
          fusion: { type: 'fusion:mock-concat' },
        }),
        dataset: createDataset(small(60)),
        registry: [createMockEncoderPlugin(), mockConcatFusionPlugin],
        cache: false,
      });
      expect(result.history.epochs).toHaveLength(2);
      const [prediction] = await result.model.predict([{ x: [1, 2, 3], extra: null }]);
      expect(['red', 'green', 'blue']).toContain(prediction!.prediction);
      expect(result.bundle).toBeNull();
    });

    it("validates every plugin's options before reading any data", async () => {
      // A fusion that refuses an unknown option, as the real ones do.
      const strictFusion = {
        ...mockConcatFusionPlugin,
        id: 'fusion:strict',
        create: (options: unknown) => {
          const unknown = Object.keys((options ?? {}) as object);
          if (unknown.length > 0) throw new Error(`unknown option "${unknown[0]}"`);
          return mockConcatFusionPlugin.create({});
        },
      };
      const attempt = (spec: ModelSpecInput) =>
        train({
          spec,
          manifestPath: path.join(os.tmpdir(), 'omnifuse-no-such-folder', 'records.jsonl'),
          registry: [createMockEncoderPlugin(), strictFusion],
          cache: false,
        }).then(
          () => {
            throw new Error('expected train() to fail');
          },
          (e: unknown) => e as OmnifuseError,
        );
      const inputs = [
        { field: 'x', encoder: 'vector:mlp', options: { hidden: [8] } },
        { field: 'extra', encoder: 'mock:numbers', optional: true },
      ];
      const badFusion = await attempt(
        smallSpec({ inputs, fusion: { type: 'fusion:strict', options: { dimm: 8 } } }),
      );
      expect(badFusion).toMatchObject({ plugin: 'fusion:strict', step: 'create' });
      expect(badFusion.message).toMatch(/unknown option "dimm"/);
      const badEncoder = await attempt(
        smallSpec({ inputs: [{ field: 'x', encoder: 'vector:mlp', options: { hidden: 'eight' } }] }),
      );
      expect(badEncoder).toMatchObject({ plugin: 'vector:mlp', step: 'create', field: 'x' });
      // With valid options the same call gets as far as the data: the manifest is not there.
      const noData = await attempt(smallSpec({ inputs, fusion: { type: 'fusion:strict' } }));
      expect(noData).toMatchObject({ code: ErrorCode.Manifest });
      expect(noData.message).toMatch(/manifest not found/);
    });

    it('names the record when a required input is missing', async () => {
      const data = small(30).map((r, i) => (i === 7 ? { ...r, x: null } : r));
      const error = await train({ spec: smallSpec(), dataset: createDataset(data), cache: false }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: ErrorCode.InvalidData });
      expect(findingsOf(error)).toEqual([{ record: 'r7', field: 'x', code: 'missing-value' }]);
    });

    it('names a validation or test record whose label was never seen in training', async () => {
      const data = small(30).map((r, i) => ({
        ...r,
        split: i === 29 ? 'test' : i === 28 ? 'validation' : 'train',
      }));
      data[29] = { ...data[29]!, label: 'purple' };
      const error = await train({
        spec: smallSpec({ split: { type: 'column', column: 'split' } }),
        dataset: createDataset(data),
        cache: false,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.InvalidData });
      expect(findingsOf(error)).toEqual([{ record: 'r29', field: 'label', code: 'unknown-label' }]);
      expect(String((error as Error).message)).toContain('purple');
    });

    it('reports progress as JSON lines when not on a terminal', async () => {
      const lines: string[] = [];
      await train({
        spec: smallSpec(),
        dataset: createDataset(small(30)),
        cache: false,
        progress: { stream: { write: (text: string) => lines.push(text), isTTY: false } },
      });
      const events = lines.map(
        (line) => JSON.parse(line) as { event: string; epoch?: number; loss?: number },
      );
      expect(events.map((e) => e.event)).toEqual(['train-begin', 'epoch', 'epoch', 'train-end']);
      expect(events[1]).toMatchObject({ epoch: 1, loss: expect.any(Number) });
    });

    it('draws a one-line bar on a terminal', async () => {
      let text = '';
      await train({
        spec: smallSpec(),
        dataset: createDataset(small(30)),
        cache: false,
        progress: { stream: { write: (t: string) => (text += t), isTTY: true }, intervalMs: 0 },
      });
      expect(text).toContain('\r\x1b[2Kepoch 1/2 [');
      expect(text).toMatch(/epoch 2\/2 {2}loss \d/);
    });

    it('names the plugin and the package to install when a bundle needs a plugin that is not there', async () => {
      const widget = {
        ...vectorEncoderPlugin,
        id: 'acme:widget',
        packageName: '@acme/omnifuse-widgets',
        create: (options?: unknown) => ({ ...createVectorEncoder(options), id: 'acme:widget' }),
      };
      const dir = path.join(work, 'widget-bundle');
      await train({
        spec: smallSpec({ inputs: [{ field: 'x', encoder: 'acme:widget', options: { hidden: [4] } }] }),
        dataset: createDataset(small(30)),
        registry: [widget],
        bundleDir: dir,
        cache: false,
      });
      const error = await loadModel(dir).catch((e: unknown) => e as Error);
      expect(error).toMatchObject({ code: ErrorCode.PluginNotFound, plugin: 'acme:widget' });
      expect((error as Error).message).toContain('npm install @acme/omnifuse-widgets');
      const loaded = await loadModel(dir, { registry: [widget] });
      expect(await loaded.predict([{ x: [1, 2, 3] }])).toHaveLength(1);
    });

    it('keeps tfjs memory flat across a train → predict cycle', async () => {
      const data = createDataset(small(30));
      await tf.ready();
      const first = await train({ spec: smallSpec(), dataset: data, cache: false });
      first.model.dispose();
      const before = tf.memory().numTensors;
      const second = await train({ spec: smallSpec(), dataset: data, cache: false });
      await second.model.predict(small(5));
      second.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

/** Record, field and code of every finding in an `E_INVALID_DATA` error's report. */
function findingsOf(error: unknown): { record: string | number; field: string; code: string }[] {
  const report = (error as { details?: { report?: DataCheckReport } }).details?.report;
  return (report?.findings ?? []).map(({ record, field, code }) => ({ record, field, code }));
}
