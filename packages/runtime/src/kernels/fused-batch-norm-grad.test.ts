import type { Rng } from '@omnifuse/core';
import { createRng } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fusedBatchNormGrad } from './fused-batch-norm-grad.js';
import { relativeError } from './kernel-test-kit.js';
import type { Tfjs } from './kernel-types.js';
import { registerTrainingGradients } from './register-training-gradients.js';

type Tensor = tfjs.Tensor;

let tf: Tfjs;
let tfjsGrad: tfjs.GradConfig;
let omnifuseGrad: tfjs.GradConfig;
beforeAll(async () => {
  tf = await import('@tensorflow/tfjs');
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  tfjsGrad = tf.getGradient('FusedBatchNorm');
  omnifuseGrad = fusedBatchNormGrad(tf);
});

function random(rng: Rng, shape: number[], positive = false): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: size }, () => (positive ? 0.2 + rng.next() : rng.normal()));
  return tf.tensor(values, shape);
}

const expectClose = (actual: Tensor, expected: Tensor) => {
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeError(actual.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
};

/** Gradients of sum(w · batchNorm(x, mean, variance, offset, scale)) with respect to each, under `grad`. */
function batchNormGrads(grad: tfjs.GradConfig, inputs: Tensor[]) {
  tf.registerGradient(grad);
  const w = inputs[5];
  return tf.grads((x: Tensor, mean: Tensor, variance: Tensor, scale: Tensor, offset: Tensor) =>
    tf.sum(tf.mul(w, tf.batchNorm(x, mean, variance, offset, scale, 1e-3))),
  )(inputs.slice(0, 5));
}

describe('fusedBatchNormGrad', () => {
  // tfjs 4.22's tape cannot differentiate batchNorm without scale or offset (it records the
  // missing input as undefined), so those cases are covered by calling the gradFuncs directly.
  for (const [i, shape] of [
    [2, 5, 4, 3],
    [3, 7, 2, 6],
    [6, 5],
  ].entries()) {
    it(`matches tfjs's gradient for x ${shape}`, () => {
      const rng = createRng(10 + i);
      const channels = shape[shape.length - 1];
      const inputs = [
        random(rng, shape),
        random(rng, [channels]),
        random(rng, [channels], true),
        random(rng, [channels]),
        random(rng, [channels]),
        random(rng, shape),
      ];
      const expected = batchNormGrads(tfjsGrad, inputs);
      const actual = batchNormGrads(omnifuseGrad, inputs);
      for (let k = 0; k < expected.length; k++) expectClose(actual[k], expected[k]);
      tf.dispose([...inputs, ...expected, ...actual]);
    });
  }

  it("matches tfjs's gradient with training-mode batch statistics (mean, variance from x)", () => {
    const rng = createRng(20);
    const [x, scale, offset, w] = [
      random(rng, [4, 6, 5, 3]),
      random(rng, [3]),
      random(rng, [3]),
      random(rng, [4, 6, 5, 3]),
    ];
    const run = (grad: tfjs.GradConfig) => {
      tf.registerGradient(grad);
      return tf.grads((xi: Tensor, s: Tensor, o: Tensor) => {
        const { mean, variance } = tf.moments(xi, [0, 1, 2]);
        return tf.sum(tf.mul(w, tf.batchNorm(xi, mean, variance, o, s, 1e-3)));
      })([x, scale, offset]);
    };
    const expected = run(tfjsGrad);
    const actual = run(omnifuseGrad);
    // The x gradient nearly cancels (batch statistics): compare against the size of its parts.
    for (let k = 0; k < expected.length; k++) expectClose(actual[k], expected[k]);
    tf.dispose([x, scale, offset, w, ...expected, ...actual]);
  });

  for (const [i, { shape, withScale }] of [
    { shape: [2, 3, 4, 5], withScale: true },
    { shape: [2, 3, 4, 5], withScale: false },
    { shape: [7, 1, 1, 4], withScale: false },
  ].entries()) {
    it(`returns every partial of tfjs's gradFunc, called directly (x ${shape}, scale ${withScale})`, () => {
      const rng = createRng(30 + i);
      const channels = shape[3];
      const [x, mean, variance, scale, dy] = [
        random(rng, shape),
        random(rng, [channels]),
        random(rng, [channels], true),
        random(rng, [channels]),
        random(rng, shape),
      ];
      const saved = [x, mean, variance, ...(withScale ? [scale] : [])];
      const attrs = { varianceEpsilon: 1e-3 } as unknown as tfjs.NamedAttrMap;
      const expected = tfjsGrad.gradFunc(dy, saved, attrs);
      const actual = omnifuseGrad.gradFunc(dy, saved, attrs);
      for (const name of ['x', 'mean', 'variance', 'scale', 'offset'])
        expectClose(actual[name](), expected[name]());
    });
  }

  it('trains a model with BatchNormalization one step exactly as with tfjs gradient', async () => {
    const rng = createRng(40);
    const build = () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, useBias: false }),
          tf.layers.batchNormalization({}),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.flatten({}),
          tf.layers.dense({ units: 5 }),
          tf.layers.batchNormalization({}),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
    const initial = build();
    const weights = initial.getWeights().map((t) => t.clone());
    initial.dispose();
    const x = random(rng, [8, 6, 6, 2]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 0], 'int32'), 3).toFloat();
    const step = async (grad: tfjs.GradConfig) => {
      tf.registerGradient(grad);
      const model = build();
      model.setWeights(weights);
      model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
      await model.trainOnBatch(x, y);
      const after = model.getWeights().map((t) => t.clone());
      model.dispose();
      return after;
    };
    const expected = await step(tfjsGrad);
    const actual = await step(omnifuseGrad);
    // The bias before a BatchNormalization has zero gradient (the batch mean removes it), so its
    // values are float noise around 0: measure every weight against at least 0.1.
    let moved = 0;
    for (let k = 0; k < expected.length; k++) {
      const [a, e] = [Array.from(actual[k].dataSync()), Array.from(expected[k].dataSync())];
      const worst = Math.max(...a.map((v, j) => Math.abs(v - e[j])));
      expect(worst / Math.max(0.1, ...e.map(Math.abs))).toBeLessThan(1e-5);
      moved = Math.max(moved, relativeError(actual[k].dataSync(), weights[k].dataSync()));
    }
    expect(moved).toBeGreaterThan(1e-3);
    tf.dispose([x, y, ...weights, ...expected, ...actual]);
  });
});

describe('registerTrainingGradients', () => {
  it("replaces tfjs's FusedBatchNorm gradient once", () => {
    tf.registerGradient(tfjsGrad);
    expect(registerTrainingGradients(tf)).toEqual(['FusedBatchNorm']);
    expect(tf.getGradient('FusedBatchNorm')).not.toBe(tfjsGrad);
    expect(registerTrainingGradients(tf)).toEqual([]);
    tf.registerGradient(tfjsGrad);
  });
});
