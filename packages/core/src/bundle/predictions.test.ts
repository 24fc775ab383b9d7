import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePredictions, runModel } from './predictions.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('decodePredictions', () => {
  it('picks the most probable label and names every probability', () => {
    const [p] = decodePredictions({
      task: { type: 'classification', field: 'y' },
      labels: ['a', 'b', 'c'],
      ids: ['r1'],
      outputs: [[0.2, 0.7, 0.1]],
      fusionWeights: [[0.25, 0.75]],
      fields: ['image', 'text'],
    });
    expect(p).toEqual({
      record: 'r1',
      prediction: 'b',
      probabilities: { a: 0.2, b: 0.7, c: 0.1 },
      fusionWeights: { image: 0.25, text: 0.75 },
    });
  });

  it('keeps every multi-label label at or above 0.5 and reads regression values', () => {
    const [multi] = decodePredictions({
      task: { type: 'multi-label', field: 'y' },
      labels: ['p', 'q', 'r'],
      ids: [0],
      outputs: [[0.5, 0.49, 0.9]],
    });
    expect(multi).toMatchObject({ prediction: ['p', 'r'] });
    expect(multi!.fusionWeights).toBeUndefined();
    const [value] = decodePredictions({
      task: { type: 'regression', field: 'y' },
      labels: [],
      ids: [3],
      outputs: [[4.5]],
    });
    expect(value).toEqual({ record: 3, prediction: 4.5 });
  });
});

describe('runModel', () => {
  it('runs in batches without leaking tensors', async () => {
    const input = tf.input({ shape: [2] });
    const model = tf.model({
      inputs: input,
      outputs: tf.layers
        .dense({ units: 1, useBias: false, kernelInitializer: 'ones' })
        .apply(input) as tf.SymbolicTensor,
    });
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const before = tf.memory().numTensors;
    const { outputs, fusionWeights } = await runModel(tf, model, [x], { batchSize: 2 });
    expect(outputs).toEqual([[3], [7], [11]]);
    expect(fusionWeights).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
  });
});
