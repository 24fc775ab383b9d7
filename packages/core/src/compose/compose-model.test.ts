import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { type ModelSpecInput, parseModelSpec } from '../model-spec.js';
import type { EncoderV1 } from '../spec/encoder.js';
import { composeModel, layerPrefixes } from './compose-model.js';
import { customLayers } from './layers.js';
import { createTestGatedFusion, createTestTokenEncoder, createTestVectorEncoder } from './test-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const vectorSpec = (extra: Partial<ModelSpecInput> = {}) =>
  parseModelSpec({
    inputs: [{ field: 'x', encoder: 'test:vector' }],
    output: { type: 'classification', field: 'y' },
    ...extra,
  });

function fittedVector(dim = 3) {
  const encoder = createTestVectorEncoder({ units: 4 });
  return {
    encoder,
    state: encoder.fit([new Array(dim).fill(0)], { field: 'x', readMedia: async () => new Uint8Array() }),
  };
}

const task = { type: 'classification' as const, field: 'y', labels: ['a', 'b', 'c'] };

async function weightsOf(model: tf.LayersModel): Promise<number[][]> {
  return Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
}

describe('composeModel', () => {
  it('gives one vector input a feature and a presence input and a softmax head', () => {
    const composed = composeModel({ tf, spec: vectorSpec(), encoders: { x: fittedVector() }, task, seed: 1 });
    expect(composed.inputNames).toEqual(['x', 'x__presence']);
    expect(composed.model.inputs.map((i) => i.shape)).toEqual([
      [null, 3],
      [null, 1],
    ]);
    expect(composed.model.outputs[0]!.shape).toEqual([null, 3]);
    expect(composed.inspect).toBeNull();
    expect(composed.labels).toEqual(['a', 'b', 'c']);
    const out = composed.model.predict([tf.tensor2d([[1, 2, 3]]), tf.ones([1, 1])]) as tf.Tensor;
    expect(out.sum().arraySync()).toBeCloseTo(1, 5);
  });

  it('gives the same initial weights for the same seed and other weights for another', async () => {
    const build = (seed: number) =>
      composeModel({ tf, spec: vectorSpec(), encoders: { x: fittedVector() }, task, seed }).model;
    const [a, b, c] = [build(7), build(7), build(8)];
    expect(await weightsOf(a)).toEqual(await weightsOf(b));
    expect(await weightsOf(a)).not.toEqual(await weightsOf(c));
    expect(a.weights.map((w) => w.originalName)).toEqual(b.weights.map((w) => w.originalName));
  });

  it('zeroes a missing input: presence 0 gives the same prediction whatever the feature', () => {
    const { model } = composeModel({
      tf,
      spec: vectorSpec(),
      encoders: { x: fittedVector() },
      task,
      seed: 1,
    });
    const absent = tf.zeros([2, 1]);
    const out = model.predict([
      tf.tensor2d([
        [1, 2, 3],
        [-4, 5, 9],
      ]),
      absent,
    ]) as tf.Tensor;
    const rows = out.arraySync() as number[][];
    expect(rows[0]).toEqual(rows[1]);
  });

  it('builds sigmoid and linear heads for multi-label and regression tasks', () => {
    const multi = composeModel({
      tf,
      spec: vectorSpec({ output: { type: 'multi-label', field: 'y' } }),
      encoders: { x: fittedVector() },
      task: { type: 'multi-label', field: 'y', labels: ['p', 'q'] },
    });
    expect(multi.outputUnits).toBe(2);
    expect(multi.model.getLayer('head/output').getConfig().activation).toBe('sigmoid');
    const regression = composeModel({
      tf,
      spec: vectorSpec({ output: { type: 'regression', field: 'y', head: { hidden: [5] } } }),
      encoders: { x: fittedVector() },
      task: { type: 'regression', field: 'y' },
    });
    expect(regression.outputUnits).toBe(1);
    expect(regression.labels).toEqual([]);
    expect(regression.model.getLayer('head/output').getConfig().activation).toBe('linear');
    expect(regression.model.getLayer('head/dense_0').getConfig().units).toBe(5);
  });

  it('applies seeded dropout only in training, repeatably', async () => {
    const spec = vectorSpec({
      output: { type: 'classification', field: 'y', head: { hidden: [64], dropout: 0.5 } },
    });
    const inputs = [tf.tensor2d([[1, 2, 3]]), tf.ones([1, 1])];
    const run = async () => {
      const { model } = composeModel({ tf, spec, encoders: { x: fittedVector() }, task, seed: 3 });
      const train = [0, 1].map(() => (model.apply(inputs, { training: true }) as tf.Tensor).arraySync());
      const evaluation = (model.apply(inputs) as tf.Tensor).arraySync();
      return { train, evaluation, predict: (model.predict(inputs) as tf.Tensor).arraySync() };
    };
    const first = await run();
    expect(first.train[0]).not.toEqual(first.evaluation);
    expect(first.train[0]).not.toEqual(first.train[1]);
    expect(first.predict).toEqual(first.evaluation);
    expect(await run()).toEqual(first);
  });

  it('mean-pools a single sequence input over its real positions', () => {
    const encoder = createTestTokenEncoder({ dim: 4, length: 5 });
    const state = encoder.fit(['a b c'], { field: 't', readMedia: async () => new Uint8Array() });
    const spec = parseModelSpec({
      inputs: [{ field: 't', encoder: 'test:tokens' }],
      output: { type: 'classification', field: 'y' },
    });
    const { model } = composeModel({ tf, spec, encoders: { t: { encoder, state } }, task, seed: 1 });
    expect(model.getLayer('t/pool')).toBeDefined();
    // Padding must not change the pooled vector: "a b" and "a b" padded differently are equal.
    const ids = tf.tensor2d(
      [
        [2, 3, 0, 0, 0],
        [2, 3, 0, 0, 0],
      ],
      undefined,
      'int32',
    );
    const out = (model.predict([ids, tf.ones([2, 1])]) as tf.Tensor).arraySync() as number[][];
    expect(out[0]).toEqual(out[1]);
  });

  it('fuses several inputs and exposes the fusion weights through `inspect`', () => {
    const token = createTestTokenEncoder();
    const spec = parseModelSpec({
      inputs: [
        { field: 'x', encoder: 'test:vector' },
        { field: 'the text', encoder: 'test:tokens' },
      ],
      fusion: { type: 'fusion:test-gated' },
      output: { type: 'classification', field: 'y', head: { hidden: [6] } },
    });
    const composed = composeModel({
      tf,
      spec,
      encoders: {
        x: fittedVector(),
        'the text': {
          encoder: token,
          state: token.fit(['hi there'], { field: 'the text', readMedia: async () => new Uint8Array() }),
        },
      },
      fusion: createTestGatedFusion(),
      task,
      seed: 1,
    });
    expect(composed.inputNames).toEqual(['x', 'x__presence', 'the_text', 'the_text__presence']);
    expect(composed.inputs[1]!.layerPrefix).toBe('the_text');
    const names = composed.model.layers.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('the_text/embedding');
    expect(composed.inspect).not.toBeNull();
    const feed = [
      tf.ones([2, 3]),
      tf.ones([2, 1]),
      tf.tensor2d(
        [
          [2, 3, 0, 0, 0],
          [2, 0, 0, 0, 0],
        ],
        undefined,
        'int32',
      ),
      tf.ones([2, 1]),
    ];
    const [prediction, weights] = composed.inspect!.predict(feed) as tf.Tensor[];
    expect(prediction!.arraySync()).toEqual((composed.model.predict(feed) as tf.Tensor).arraySync());
    expect(weights!.shape).toEqual([2, 2]);
    for (const row of weights!.arraySync() as number[][]) expect(row[0]! + row[1]!).toBeCloseTo(1, 5);
  });

  it('names what is wrong: a missing encoder, missing labels, a failing plugin', () => {
    const expectError = (run: () => unknown, fields: Partial<OmnifuseError>) => {
      try {
        run();
        expect.unreachable();
      } catch (error) {
        expect(OmnifuseError.isInstance(error)).toBe(true);
        expect(error).toMatchObject(fields);
      }
    };
    expectError(() => composeModel({ tf, spec: vectorSpec(), encoders: {}, task }), {
      code: ErrorCode.InvalidConfig,
      field: 'x',
    });
    expectError(
      () =>
        composeModel({
          tf,
          spec: vectorSpec(),
          encoders: { x: fittedVector() },
          task: { ...task, labels: undefined },
        }),
      { code: ErrorCode.InvalidConfig, path: 'output.labels' },
    );
    const broken: EncoderV1 = {
      ...createTestVectorEncoder(),
      build: () => {
        throw new Error('boom');
      },
    } as EncoderV1;
    expectError(
      () =>
        composeModel({
          tf,
          spec: vectorSpec(),
          encoders: { x: { encoder: broken, state: { dim: 3 } } },
          task,
        }),
      {
        code: ErrorCode.PluginFailed,
        plugin: 'test:vector',
        step: 'build',
        field: 'x',
      },
    );
  });
});

describe('layerPrefixes', () => {
  it('makes valid, unique, stable prefixes', () => {
    expect(layerPrefixes(['image', 'a b', 'a_b', '_x', 'head'])).toEqual([
      'image',
      'a_b',
      'a_b_2',
      'f_x',
      'head_2',
    ]);
  });
});

describe('MaskedMeanPooling', () => {
  it('averages real positions and pools an empty mask to zeros', () => {
    const { MaskedMeanPooling } = customLayers(tf);
    const layer = new MaskedMeanPooling();
    const sequence = tf.tensor3d([
      [
        [1, 2],
        [3, 4],
        [100, 100],
      ],
      [
        [5, 5],
        [6, 6],
        [7, 7],
      ],
    ]);
    const mask = tf.tensor2d([
      [1, 1, 0],
      [0, 0, 0],
    ]);
    expect((layer.apply([sequence, mask]) as tf.Tensor).arraySync()).toEqual([
      [2, 3],
      [0, 0],
    ]);
  });
});
