import {
  composeModel,
  createDataset,
  createRegistry,
  type Dataset,
  type EpochEndEvent,
  ErrorCode,
  parseModelSpec,
  type TaskSpec,
  type TensorTable,
  type TrainingOptions,
  vectorEncoderPlugin,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistRecords, readMnist } from './fixtures/mnist.js';
import { encodeTargets, fitLabels } from './labels.js';
import { createSupervisedTrainer } from './supervised-trainer.js';
import { disposeTable, featureTensors, fitEncoders } from './tables.js';

const registry = createRegistry([vectorEncoderPlugin]);
const spec = parseModelSpec({
  inputs: [{ field: 'pixels', encoder: 'vector:mlp', options: { hidden: [32] } }],
  output: { type: 'classification', field: 'digit', head: { hidden: [], dropout: 0.1 } },
});
const options: TrainingOptions = {
  epochs: 3,
  batchSize: 64,
  learningRate: 3e-3,
  optimizer: 'adam',
  seed: 5,
  shuffle: true,
  restoreBestWeights: true,
};

let train: Dataset;
let validation: Dataset;
let tables: { train: TensorTable; validation: TensorTable };
let task: TaskSpec & { labels: string[] };
let encoders: Awaited<ReturnType<typeof fitEncoders>>;

/** A freshly initialised model over the same fitted encoders. */
const freshModel = (seed = 1) => composeModel({ tf, spec, encoders, task, seed }).model;

async function table(dataset: Dataset): Promise<TensorTable> {
  const composed = composeModel({ tf, spec, encoders, task, seed: 1 });
  const inputs = await featureTensors(dataset, spec, composed.inputs, encoders);
  composed.model.dispose();
  return { size: dataset.size, inputs, target: encodeTargets(task, task.labels, dataset) };
}

describe('supervised trainer on MNIST', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    train = createDataset(mnistRecords(readMnist('train', 600), 'train', 'a'));
    validation = createDataset(mnistRecords(readMnist('train', 200, 600), 'validation', 'b'));
    task = {
      type: 'classification',
      field: 'digit',
      labels: fitLabels({ type: 'classification', field: 'digit' }, train),
    };
    encoders = await fitEncoders(spec, registry, train);
    tables = { train: await table(train), validation: await table(validation) };
  });
  afterAll(() => {
    disposeTable(tables.train);
    disposeTable(tables.validation);
  });

  describe('supervised trainer', () => {
    it('learns, reports per-epoch metrics, and repeats exactly for the same seed', async () => {
      const trainer = createSupervisedTrainer();
      const run = () =>
        trainer.fit({
          model: freshModel(),
          task,
          train: tables.train,
          validation: tables.validation,
          options,
        });
      const first = await run();
      expect(first.epochs).toHaveLength(3);
      expect(Object.keys(first.epochs[0]!).sort()).toEqual([
        'accuracy',
        'loss',
        'lr',
        'val_accuracy',
        'val_loss',
      ]);
      expect(first.epochs[2]!.loss).toBeLessThan(first.epochs[0]!.loss);
      expect(first.epochs[2]!.val_accuracy).toBeGreaterThan(0.7);
      expect(first.stoppedEarly).toBe(false);
      const second = await run();
      expect(second.epochs).toEqual(first.epochs);
    });

    it('runs hooks in order: sequential hooks one after another, batch hooks together', async () => {
      const log: string[] = [];
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const callbacks = ['A', 'B'].map((name) => ({
        onTrainBegin: async () => {
          log.push(`${name}:begin:start`);
          await sleep(name === 'A' ? 15 : 0);
          log.push(`${name}:begin:end`);
        },
        onBatchEnd: async ({ epoch, batch }: { epoch: number; batch: number }) => {
          if (epoch > 0 || batch > 1) return;
          log.push(`${name}:batch${batch}:start`);
          await sleep(name === 'A' ? 15 : 0);
          log.push(`${name}:batch${batch}:end`);
        },
        onEpochEnd: async ({ epoch }: EpochEndEvent) => {
          log.push(`${name}:epoch${epoch}:start`);
          await sleep(name === 'A' ? 15 : 0);
          log.push(`${name}:epoch${epoch}:end`);
          return name === 'B' && epoch === 1 ? { stop: true } : undefined;
        },
        onTrainEnd: () => {
          log.push(`${name}:end`);
        },
      }));
      const history = await createSupervisedTrainer().fit({
        model: freshModel(),
        task,
        train: tables.train,
        options: { ...options, epochs: 5 },
        callbacks,
      });
      expect(log).toEqual([
        'A:begin:start',
        'A:begin:end',
        'B:begin:start',
        'B:begin:end',
        // Batch hooks start together; B finishes first although A started first.
        'A:batch0:start',
        'B:batch0:start',
        'B:batch0:end',
        'A:batch0:end',
        'A:batch1:start',
        'B:batch1:start',
        'B:batch1:end',
        'A:batch1:end',
        'A:epoch0:start',
        'A:epoch0:end',
        'B:epoch0:start',
        'B:epoch0:end',
        'A:epoch1:start',
        'A:epoch1:end',
        'B:epoch1:start',
        'B:epoch1:end',
        'A:end',
        'B:end',
      ]);
      // B asked to stop after epoch 1.
      expect(history.epochs).toHaveLength(2);
      expect(history.stoppedEarly).toBe(true);
      // Without validation data the best epoch is chosen on the training loss.
      expect(history.bestEpoch).toBe(1);
    });

    it('stops early and restores the best epoch’s weights', async () => {
      const model = freshModel();
      const trainer = createSupervisedTrainer();
      // A min delta no epoch can beat makes epoch 0 the best, and patience 2 stops after epoch 2.
      const history = await trainer.fit({
        model,
        task,
        train: tables.train,
        validation: tables.validation,
        options: {
          ...options,
          epochs: 10,
          earlyStopping: { monitor: 'val_loss', patience: 2, minDelta: 100 },
        },
      });
      expect(history.stoppedEarly).toBe(true);
      expect(history.epochs).toHaveLength(3);
      expect(history.bestEpoch).toBe(0);
      const restored = await trainer.evaluate(model, task, tables.validation);
      expect(restored.loss).toBeCloseTo(history.epochs[0]!.val_loss!, 6);
      expect(restored.accuracy).toBeCloseTo(history.epochs[0]!.val_accuracy!, 6);
      expect(restored.loss).not.toBeCloseTo(history.epochs[2]!.val_loss!, 6);
    });

    it('maximises a monitored accuracy', async () => {
      const history = await createSupervisedTrainer().fit({
        model: freshModel(),
        task,
        train: tables.train,
        validation: tables.validation,
        options: {
          ...options,
          epochs: 4,
          earlyStopping: { monitor: 'val_accuracy', patience: 10, minDelta: 0 },
        },
      });
      const accuracies = history.epochs.map((e) => e.val_accuracy!);
      expect(history.bestEpoch).toBe(accuracies.indexOf(Math.max(...accuracies)));
    });

    it('picks and restores the best epoch by training.monitor, without early stopping', async () => {
      const model = freshModel();
      const trainer = createSupervisedTrainer();
      const history = await trainer.fit({
        model,
        task,
        train: tables.train,
        validation: tables.validation,
        options: { ...options, epochs: 4, monitor: 'val_accuracy' },
      });
      expect(history.epochs).toHaveLength(4);
      expect(history.stoppedEarly).toBe(false);
      const accuracies = history.epochs.map((e) => e.val_accuracy!);
      const best = accuracies.indexOf(Math.max(...accuracies));
      expect(history.bestEpoch).toBe(best);
      const restored = await trainer.evaluate(model, task, tables.validation);
      expect(restored.accuracy).toBeCloseTo(accuracies[best]!, 6);
      expect(restored.loss).toBeCloseTo(history.epochs[best]!.val_loss!, 6);
    });

    it('leaks no tensors: the count is steady across epochs and back to its start after fit', async () => {
      const model = freshModel();
      const counts: number[] = [];
      const before = tf.memory().numTensors;
      await createSupervisedTrainer().fit({
        model,
        task,
        train: tables.train,
        validation: tables.validation,
        options: { ...options, epochs: 5, earlyStopping: { monitor: 'val_loss', patience: 10, minDelta: 0 } },
        callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
      });
      // Epoch 0 creates the optimiser's slots; from epoch 1 on nothing may accumulate.
      expect(new Set(counts.slice(1)).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('trains multi-label and regression heads', async () => {
      const small = createDataset(
        Array.from({ length: 64 }, (_, i) => ({
          x: [i % 4, (i * 7) % 5],
          tags: i % 2 ? 'odd|small' : 'even',
          y: i % 4,
        })),
      );
      for (const output of [
        { type: 'multi-label' as const, field: 'tags' },
        { type: 'regression' as const, field: 'y' },
      ]) {
        const s = parseModelSpec({ inputs: [{ field: 'x', encoder: 'vector:mlp' }], output });
        const t = { ...output, labels: fitLabels(output, small) };
        const enc = await fitEncoders(s, registry, small);
        const composed = composeModel({ tf, spec: s, encoders: enc, task: t, seed: 2 });
        const data = {
          size: small.size,
          inputs: await featureTensors(small, s, composed.inputs, enc),
          target: encodeTargets(t, t.labels, small),
        };
        const history = await createSupervisedTrainer().fit({
          model: composed.model,
          task: t,
          train: data,
          options: { ...options, epochs: 20, batchSize: 16, learningRate: 0.02 },
        });
        expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0]!.loss);
        const result = await createSupervisedTrainer().evaluate(composed.model, t, data);
        if (output.type === 'regression') expect(result.accuracy).toBeUndefined();
        else expect(result.accuracy).toBeGreaterThan(0.6);
        disposeTable(data);
      }
    });

    it('names a monitored metric that is never computed', async () => {
      await expect(
        createSupervisedTrainer().fit({
          model: freshModel(),
          task,
          train: tables.train,
          options: {
            ...options,
            epochs: 1,
            earlyStopping: { monitor: 'val_loss', patience: 1, minDelta: 0 },
          },
        }),
      ).rejects.toMatchObject({ code: ErrorCode.Training, found: 'val_loss' });
    });

    it('refuses a table without a model input', async () => {
      await expect(
        createSupervisedTrainer().fit({
          model: freshModel(),
          task,
          train: { ...tables.train, inputs: { pixels: tables.train.inputs.pixels! } },
          options,
        }),
      ).rejects.toMatchObject({ code: ErrorCode.Training });
    });
  });
});
