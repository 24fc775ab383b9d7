import {
  type BatchAugmenter,
  type ComposedInput,
  composeModel,
  createDataset,
  createRegistry,
  type EncoderPluginV1,
  type EncoderV1,
  ErrorCode,
  type Feature,
  type FeatureBatch,
  type ModelSpecInput,
  parseModelSpec,
  type TrainingOptions,
  vectorEncoderPlugin,
} from '@omnifuse/core';
import {
  createMockEncoderPlugin,
  type MockEncoderRaw,
  type MockEncoderState,
  mockConcatFusionPlugin,
} from '@omnifuse/core/testing';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTargets, fitLabels } from './labels.js';
import { createSupervisedTrainer } from './supervised-trainer.js';
import { createBatchAugmenter, disposeTable, featureTensors, fitEncoders } from './tables.js';
import { train } from './train.js';

type MockEncoder = EncoderV1<MockEncoderRaw, MockEncoderState>;
interface AugmentCall {
  readonly epoch: number;
  readonly record: string | number;
  readonly field: string;
}

/** The mock encoder, with its `augment` logging each call and optionally replaced. */
function loggingPlugin(replace?: (feature: Feature) => Feature): {
  plugin: EncoderPluginV1<MockEncoderRaw, MockEncoderState>;
  log: AugmentCall[];
} {
  const base = createMockEncoderPlugin({ id: 'mock:logged', dim: 2 });
  const log: AugmentCall[] = [];
  const plugin = {
    ...base,
    create(options?: unknown): MockEncoder {
      const encoder = base.create(options);
      return {
        ...encoder,
        augment(feature, state, context) {
          log.push({ epoch: context.epoch, record: context.record, field: context.field });
          return replace ? replace(feature) : encoder.augment!(feature, state, context);
        },
      };
    },
  };
  return { plugin, log };
}

// 24 training, 8 validation and 8 test records; every fifth `extra value` is missing.
const records = Array.from({ length: 40 }, (_, i) => ({
  id: `r${i}`,
  split: i < 24 ? 'train' : i < 32 ? 'validation' : 'test',
  x: [i % 3, (i * 5) % 7, i % 2],
  'extra value': i % 5 === 0 ? null : (i % 4) - 1.5,
  label: ['red', 'green', 'blue'][i % 3]!,
}));
const trainIds = records.filter((r) => r.split === 'train').map((r) => r.id);

const spec = (overrides: Partial<ModelSpecInput> = {}): ModelSpecInput => ({
  inputs: [
    { field: 'x', encoder: 'vector:mlp', options: { hidden: [8] } },
    // A field name that is not a valid tfjs name, so its model input is named otherwise.
    { field: 'extra value', encoder: 'mock:logged', optional: true },
  ],
  fusion: { type: 'fusion:mock-concat' },
  output: { type: 'classification', field: 'label' },
  split: { type: 'column', column: 'split' },
  training: { epochs: 3, batchSize: 7, seed: 11 },
  backend: 'cpu',
  ...overrides,
});

const vectorOnly = (noise: number): ModelSpecInput =>
  spec({
    inputs: [{ field: 'x', encoder: 'vector:mlp', options: { hidden: [8], noise } }],
    fusion: undefined,
  });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('train() with augmentation', () => {
  it('augments each present training value once per epoch, and nothing at evaluation or prediction', async () => {
    const { plugin, log } = loggingPlugin();
    const result = await train({
      spec: spec(),
      dataset: createDataset(records),
      registry: [plugin, mockConcatFusionPlugin],
      cache: false,
    });
    const present = records.filter((r) => r.split === 'train' && r['extra value'] !== null).map((r) => r.id);
    expect(present.length).toBeLessThan(trainIds.length);
    const expected = [0, 1, 2].flatMap((epoch) =>
      present.map((record) => ({ epoch, record, field: 'extra value' })),
    );
    const key = (c: AugmentCall) => `${c.epoch}/${c.record}`;
    expect(log.map(key).sort()).toEqual(expected.map(key).sort());
    expect(log.every((c) => c.field === 'extra value')).toBe(true);

    log.length = 0;
    await result.model.predict(records);
    await result.model.evaluate(records);
    expect(log).toEqual([]);
    result.model.dispose();
  });

  it('repeats exactly for the same seed, and noise changes the training history', async () => {
    const dataset = createDataset(records);
    const run = async (noise: number, seed = 11) => {
      const result = await train({
        spec: { ...vectorOnly(noise), training: { epochs: 3, batchSize: 7, seed } },
        dataset,
        cache: false,
      });
      result.model.dispose();
      return result.history.epochs;
    };
    const noisy = await run(0.5);
    expect(await run(0.5)).toEqual(noisy);
    const plain = await run(0);
    expect(plain).toHaveLength(noisy.length);
    expect(plain.map((e) => e.loss)).not.toEqual(noisy.map((e) => e.loss));
    // Validation is never augmented, but the weights it sees were trained on noisy inputs.
    expect(await run(0.5, 12)).not.toEqual(noisy);
  });

  it('names the plugin, step, record and field when augment fails or returns a wrong feature', async () => {
    const cases: [(feature: Feature) => Feature, ErrorCode][] = [
      [() => ({ dtype: 'float32', shape: [3], data: new Float32Array(3) }), ErrorCode.PluginFailed],
      [(f) => ({ ...f, data: Float32Array.from(f.data, () => Number.NaN) }), ErrorCode.InvalidInput],
      [
        () => {
          throw new Error('boom');
        },
        ErrorCode.PluginFailed,
      ],
    ];
    await tf.ready();
    for (const [replace, code] of cases) {
      const before = tf.memory().numTensors;
      const { plugin } = loggingPlugin(replace);
      const error = await train({
        spec: spec({ training: { epochs: 1, batchSize: 7, seed: 11, shuffle: false } }),
        dataset: createDataset(records),
        registry: [plugin, mockConcatFusionPlugin],
        cache: false,
      }).catch((e: unknown) => e);
      // r0 is missing, so the first value augmented is r1's.
      expect(error).toMatchObject({
        code,
        plugin: 'mock:logged',
        step: 'augment',
        record: 'r1',
        field: 'extra value',
      });
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('keeps tfjs memory steady across epochs and flat after training', async () => {
    const run = async (epochs: number, counts: number[] = []) => {
      const result = await train({
        spec: { ...vectorOnly(0.5), training: { epochs, batchSize: 5, seed: 3 } },
        dataset: createDataset(records),
        cache: false,
        callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
      });
      result.model.dispose();
    };
    await run(1);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await run(4, counts);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('createBatchAugmenter', () => {
  const dataset = createDataset(records.slice(0, 6));
  const base = createMockEncoderPlugin({ id: 'mock:plain', dim: 2 });
  const input: ComposedInput = {
    field: 'extra value',
    modality: 'vector',
    featureInput: 'extra_value',
    presenceInput: 'extra_value__presence',
    featureSpec: { dtype: 'float32', shape: [2] },
    layerPrefix: 'extra_value',
  };
  const batch: FeatureBatch = {
    field: 'extra value',
    dtype: 'float32',
    shape: [6, 2],
    data: Float32Array.from({ length: 12 }, (_, i) => (i < 2 ? 0 : i)),
    presence: Float32Array.from([0, 1, 1, 1, 1, 1]),
    stats: { hits: 0, misses: 6, computed: 5, missing: 1, mediaReads: 0 },
    failures: [],
  };
  const augmenter = (seed = 1): BatchAugmenter =>
    createBatchAugmenter(
      dataset,
      [{ input, fitted: { encoder: base.create({ noise: 0.5 }), state: { mean: 0 } }, batch }],
      seed,
    )!;
  const rowsOf = (tensors: Readonly<Record<string, tf.Tensor>> | null) => {
    const tensor = tensors!.extra_value!;
    const rows = tensor.arraySync() as number[][];
    tensor.dispose();
    return rows;
  };

  it('gives a record the same augmentation whatever batch it is in, and leaves missing values at zero', () => {
    base.resetCalls();
    const together = rowsOf(augmenter()({ epoch: 2, batch: 0, rows: [5, 0, 3, 1] }));
    expect(base.calls.augment).toBe(3);
    expect(together[1]).toEqual([0, 0]);
    const alone = [5, 0, 3, 1].map((row) => rowsOf(augmenter()({ epoch: 2, batch: 7, rows: [row] }))[0]);
    expect(alone).toEqual(together);
    expect(together[0]).not.toEqual([10, 11]);
    // Another epoch or seed draws other noise.
    expect(rowsOf(augmenter()({ epoch: 3, batch: 0, rows: [5] }))[0]).not.toEqual(together[0]);
    expect(rowsOf(augmenter(2)({ epoch: 2, batch: 0, rows: [5] }))[0]).not.toEqual(together[0]);
  });

  it('is undefined when no encoder augments', () => {
    const plain = createRegistry([vectorEncoderPlugin]).encoder('vector:mlp').create({});
    expect(createBatchAugmenter(dataset, [{ input, fitted: { encoder: plain, state: {} }, batch }], 1)).toBe(
      undefined,
    );
  });
});

describe('supervised trainer with a batch augmenter', () => {
  const small = createDataset(
    Array.from({ length: 30 }, (_, i) => ({ x: [i % 4, (i * 7) % 5, i % 2], y: (i % 4) - 1 })),
  );
  const modelSpec = parseModelSpec({
    inputs: [{ field: 'x', encoder: 'vector:mlp', options: { hidden: [4] } }],
    output: { type: 'regression', field: 'y' },
  });
  const options: TrainingOptions = {
    epochs: 4,
    batchSize: 8,
    learningRate: 0.01,
    optimizer: 'adam',
    seed: 5,
    shuffle: true,
    restoreBestWeights: true,
  };

  it('uses the augmented inputs of every training batch, disposes them and leaks nothing', async () => {
    const task = { type: 'regression' as const, field: 'y', labels: fitLabels(modelSpec.output, small) };
    const encoders = await fitEncoders(modelSpec, createRegistry([vectorEncoderPlugin]), small);
    const composed = composeModel({ tf, spec: modelSpec, encoders, task, seed: 2 });
    const table = {
      size: small.size,
      inputs: await featureTensors(small, modelSpec, composed.inputs, encoders),
      target: encodeTargets(task, task.labels, small),
    };
    const calls: { epoch: number; batch: number; rows: number }[] = [];
    const zeros: BatchAugmenter = ({ epoch, batch, rows }) => {
      calls.push({ epoch, batch, rows: rows.length });
      return { x: tf.zeros([rows.length, 3]) };
    };
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const history = await createSupervisedTrainer().fit({
      model: composed.model,
      task,
      train: table,
      validation: table,
      options,
      augment: zeros,
      callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
    });
    expect(calls).toHaveLength(4 * 4);
    expect(calls.slice(0, 4)).toEqual([
      { epoch: 0, batch: 0, rows: 8 },
      { epoch: 0, batch: 1, rows: 8 },
      { epoch: 0, batch: 2, rows: 8 },
      { epoch: 0, batch: 3, rows: 6 },
    ]);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(history.epochs).toHaveLength(4);

    const wrong: BatchAugmenter = ({ rows }) => ({ x: tf.zeros([rows.length, 2]) });
    await expect(
      createSupervisedTrainer().fit({ model: composed.model, task, train: table, options, augment: wrong }),
    ).rejects.toMatchObject({ code: ErrorCode.Training, step: 'augment' });
    expect(tf.memory().numTensors).toBe(before);
    disposeTable(table);
    composed.model.dispose();
  });
});
