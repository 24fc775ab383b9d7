import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataset, ErrorCode, type ModelSpecInput } from '@omnifuse/core';
import { mockConcatFusionPlugin } from '@omnifuse/core/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fineTune } from './fine-tune.js';
import { applyFreezing } from './fine-tune-layers.js';
import { type LoadedModel, loadModel } from './load-model.js';
import { paramGroupScales } from './param-groups.js';
import { train } from './train.js';

const registry = [mockConcatFusionPlugin];
const CENTRES = { left: [-2, 0], right: [2, 0], up: [0, 2] } as const;

/** Three classes, each seen through two noisy 2-D inputs; `shift` moves input b's cloud. */
function records(count: number, seed: number, shift = 0) {
  let state = seed;
  const random = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647 - 0.5;
  };
  const labels = Object.keys(CENTRES) as (keyof typeof CENTRES)[];
  return Array.from({ length: count }, (_, i) => {
    const label = labels[i % 3]!;
    const [x, y] = CENTRES[label];
    return {
      id: `r${seed}-${i}`,
      a: [x + 3 * random(), y + 3 * random()],
      b: [-y + shift + 2 * random(), x + shift + 2 * random()],
      label,
    };
  });
}

const spec: ModelSpecInput = {
  inputs: [
    { field: 'a', encoder: 'vector:mlp', options: { hidden: [8] } },
    { field: 'b', encoder: 'vector:mlp', options: { hidden: [8] } },
  ],
  fusion: { type: 'fusion:mock-concat' },
  output: { type: 'classification', field: 'label', head: { hidden: [8] } },
  split: { type: 'stratified', by: 'label', ratios: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 1 },
  training: { epochs: 4, batchSize: 16, learningRate: 0.02, seed: 3 },
  backend: 'cpu',
};

/** Each layer's weights as plain arrays, by layer name (weight names get per-process suffixes). */
function layerWeights(model: tf.LayersModel): Record<string, number[][]> {
  return Object.fromEntries(
    model.layers
      .filter((layer) => layer.weights.length > 0)
      .map((layer) => [layer.name, layer.getWeights().map((w) => Array.from(w.dataSync()))]),
  );
}

let work: string;
let bundleDir: string;
let original: LoadedModel;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-fine-tune-'));
  bundleDir = path.join(work, 'base');
  const trained = await train({
    spec,
    dataset: createDataset(records(150, 11)),
    registry,
    bundleDir,
    cache: false,
  });
  trained.model.dispose();
  original = await loadModel(bundleDir, { registry });
});

afterAll(() => {
  original?.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('fineTune()', () => {
  it('keeps frozen and zero-rate layers bit for bit, trains the rest, and saves a bundle that reloads', async () => {
    const shifted = records(150, 29, 1.5);
    const before = layerWeights(original.model);
    const lossBefore = (await original.evaluate(shifted)).loss;
    const bundleOut = path.join(work, 'tuned');
    const result = await fineTune({
      bundleDir,
      dataset: createDataset(shifted),
      registry,
      freeze: ['a'],
      learningRates: { 'head/output': 0, 'b/*': 0.05 },
      training: { epochs: 6, optimizer: 'adam' },
      bundleOut,
      cache: false,
    });
    try {
      const after = layerWeights(result.model.model);
      const aLayers = Object.keys(before).filter((name) => name.startsWith('a/'));
      const bLayers = Object.keys(before).filter((name) => name.startsWith('b/'));
      expect(aLayers.length).toBeGreaterThan(0);
      for (const name of [...aLayers, 'head/output']) expect(after[name]).toEqual(before[name]);
      for (const name of [...bLayers, 'head/dense_0']) expect(after[name]).not.toEqual(before[name]);

      expect(result.labels).toEqual(original.bundle.task.labels);
      const losses = result.history.epochs.map((e) => e.loss!);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
      const tuned = await loadModel(bundleOut, { registry });
      try {
        const lossAfter = (await tuned.evaluate(shifted)).loss;
        expect(lossAfter).toBeLessThan(lossBefore);
        // The encoders' fitted state is the base bundle's, not refitted on the new data.
        expect(tuned.bundle.manifest.encoders).toEqual(original.bundle.manifest.encoders);
        expect(tuned.bundle.spec.training.epochs).toBe(6);
        const sample = shifted.slice(0, 5);
        expect((await tuned.predict(sample)).map((p) => p.probabilities)).toEqual(
          (await result.model.predict(sample)).map((p) => p.probabilities),
        );
      } finally {
        tuned.dispose();
      }
    } finally {
      result.model.dispose();
    }
  });

  it('fine-tunes from packed files (training.streaming) exactly as in memory', async () => {
    const shifted = records(120, 31, 1);
    const outcomes = [];
    for (const streaming of ['never', 'always'] as const) {
      const result = await fineTune({
        bundleDir,
        dataset: createDataset(shifted),
        registry,
        freeze: ['a'],
        training: { epochs: 2, streaming },
        cache: path.join(work, `cache-${streaming}`),
      });
      outcomes.push({
        epochs: result.history.epochs,
        metrics: result.metrics,
        weights: layerWeights(result.model.model),
      });
      result.model.dispose();
    }
    expect(outcomes[0]!.epochs).toHaveLength(2);
    expect(outcomes[1]).toEqual(outcomes[0]);
    // The run's pack folder is gone once it ends.
    expect(readdirSync(path.join(work, 'cache-always', 'packs'))).toEqual([]);
  });

  it('rejects a pattern that matches no layer, listing the groups and layers', async () => {
    const attempt = fineTune({
      bundleDir,
      dataset: createDataset(records(30, 5)),
      registry,
      freeze: ['image/*'],
      cache: false,
    });
    await expect(attempt).rejects.toMatchObject({
      code: ErrorCode.InvalidOptions,
      path: 'freeze[0]',
      message: expect.stringContaining('groups: a, b, head'),
    });
  });

  it('rejects a rate for frozen layers and a label the bundle does not know', async () => {
    await expect(
      fineTune({
        bundleDir,
        dataset: createDataset(records(30, 5)),
        registry,
        freeze: ['a'],
        learningRates: { a: 0.1 },
        cache: false,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidOptions, path: 'learningRates["a"]' });

    const unseen = [...records(30, 5), { id: 'odd-one', a: [0, 0], b: [0, 0], label: 'down' }];
    await expect(
      fineTune({
        bundleDir,
        dataset: createDataset(unseen),
        registry,
        split: { type: 'random', ratios: { train: 1 } },
        cache: false,
      }),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidData,
      details: {
        report: { invalidRecords: ['odd-one'], findings: [{ record: 'odd-one', code: 'unknown-label' }] },
      },
    });
  });
});

describe('freezing layers', () => {
  it('keeps a frozen BatchNormalization in inference mode, and unfreeze wins over freeze', () => {
    const input = tf.input({ shape: [3] });
    const dense = tf.layers.dense({ units: 4, name: 'enc/dense' }).apply(input) as tf.SymbolicTensor;
    const norm = tf.layers.batchNormalization({ name: 'enc/bn' }).apply(dense) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, name: 'head/output' }).apply(norm) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const frozen = applyFreezing(model, [], ['*'], ['head']);
    expect(frozen.sort()).toEqual(['enc/bn', 'enc/dense']);
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual([
      'head/output/kernel',
      'head/output/bias',
    ]);

    const x = tf.randomNormal([8, 3], 5, 2, 'float32', 1);
    const stats = () =>
      model
        .getLayer('enc/bn')
        .getWeights()
        .map((w) => Array.from(w.dataSync()));
    const statsBefore = stats();
    const inTraining = model.apply(x, { training: true }) as tf.Tensor;
    const inInference = model.predict(x) as tf.Tensor;
    expect(stats()).toEqual(statsBefore);
    expect(Array.from(inTraining.dataSync())).toEqual(Array.from(inInference.dataSync()));
    tf.dispose([x, inTraining, inInference]);
    model.dispose();
  });

  it('scales each param group by its rate over the base rate, first group winning', () => {
    const names = ['a/dense_0/kernel', 'b/dense_0/kernel', 'head/output/kernel'];
    const groups = [
      { weights: ['head/*'], learningRate: 0 },
      { weights: ['b/*', 'head/*'], learningRate: 0.05 },
    ];
    expect(paramGroupScales(names, groups, 0.01, 'test')).toEqual([1, 5, 0]);
    expect(() => paramGroupScales(names, [{ weights: ['fusion/*'], learningRate: 1 }], 0.01, 'test')).toThrow(
      /matches no trainable weight/,
    );
  });
});
