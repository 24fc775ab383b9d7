import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModelSpec } from '../model-spec.js';
import { composeModel } from './compose-model.js';
import { applyInitialization } from './initialization.js';
import { customLayers } from './layers.js';
import { createTestVectorEncoder } from './test-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** conv 5×5 (3 → 8, core's Conv2D, no bias) → BN → flatten → dense 32 → dense 10 (tf.layers). */
function model(): tf.LayersModel {
  const { Conv2D } = customLayers(tf);
  const input = tf.input({ shape: [6, 6, 3] });
  let x = new Conv2D({ filters: 8, kernelSize: 5, useBias: false, name: 'conv' }).apply(
    input,
  ) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 32, name: 'hidden' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 10, name: 'out' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

const values = (m: tf.LayersModel, name: string) =>
  Array.from(
    m.weights
      .find((w) => w.originalName === name)!
      .read()
      .dataSync(),
  );

function summary(xs: number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { max: Math.max(...xs.map(Math.abs)), mean, std };
}

describe('applyInitialization', () => {
  it('pytorch: kernels and biases U(±1/√fan_in) as torch.nn.Linear / Conv2d, normalisation untouched', () => {
    const m = model();
    expect(applyInitialization(tf, m, 'pytorch', 3)).toBe(3);
    // fan_in: conv 5·5·3 = 75; hidden 2·2·8 = 32; out 32.
    for (const [name, fanIn, count] of [
      ['conv/kernel', 75, 600],
      ['hidden/kernel', 32, 1024],
      ['hidden/bias', 32, 32],
      ['out/kernel', 32, 320],
    ] as const) {
      const xs = values(m, name);
      expect(xs).toHaveLength(count);
      const bound = 1 / Math.sqrt(fanIn);
      const { max, mean, std } = summary(xs);
      expect(max).toBeLessThanOrEqual(bound);
      // Uniform on ±bound: the largest draw is near the bound, std bound/√3, mean near 0.
      expect(max).toBeGreaterThan(0.85 * bound);
      expect(std).toBeGreaterThan(0.85 * (bound / Math.sqrt(3)));
      expect(std).toBeLessThan(1.15 * (bound / Math.sqrt(3)));
      expect(Math.abs(mean)).toBeLessThan(bound / 4);
    }
    // Glorot would have given the hidden bias zeros and the out kernel limit √(6 / 42) = 0.38 > 1/√32.
    expect(values(m, 'hidden/bias').some((v) => v !== 0)).toBe(true);
    expect(values(m, 'bn/gamma')).toEqual(new Array(8).fill(1));
    expect(values(m, 'bn/beta')).toEqual(new Array(8).fill(0));
    expect(values(m, 'bn/moving_variance')).toEqual(new Array(8).fill(1));
  });

  it('is seeded: the same seed gives the same weights, another seed others; plugin changes nothing', () => {
    const [a, b, c, d] = [model(), model(), model(), model()];
    const before = values(d, 'hidden/kernel');
    applyInitialization(tf, a, 'pytorch', 5);
    applyInitialization(tf, b, 'pytorch', 5);
    applyInitialization(tf, c, 'pytorch', 6);
    expect(applyInitialization(tf, d, 'plugin', 5)).toBe(0);
    expect(values(a, 'conv/kernel')).toEqual(values(b, 'conv/kernel'));
    expect(values(a, 'conv/kernel')).not.toEqual(values(c, 'conv/kernel'));
    expect(values(d, 'hidden/kernel')).toEqual(before);
  });

  it("composeModel applies training.initialization: 'pytorch' to the head", () => {
    const encoder = createTestVectorEncoder({ units: 4 });
    const state = encoder.fit([[0, 0, 0, 0, 0, 0]], { field: 'x', readMedia: async () => new Uint8Array() });
    const task = { type: 'classification' as const, field: 'y', labels: ['a', 'b', 'c'] };
    const compose = (initialization?: 'pytorch') =>
      composeModel({
        tf,
        spec: parseModelSpec({
          inputs: [{ field: 'x', encoder: 'test:vector' }],
          output: { type: 'classification', field: 'y', head: { hidden: [50] } },
          training: initialization ? { initialization } : {},
        }),
        encoders: { x: { encoder, state } },
        task,
        seed: 1,
      }).model;
    const torch = compose('pytorch');
    const plugin = compose();
    // head/dense_0 sees the encoder's 4 units: bound 1/√4 = 0.5; its bias is drawn, not zero.
    expect(summary(values(torch, 'head/dense_0/bias')).max).toBeGreaterThan(0);
    expect(summary(values(torch, 'head/dense_0/kernel')).max).toBeLessThanOrEqual(0.5);
    expect(summary(values(torch, 'head/output/kernel')).max).toBeLessThanOrEqual(1 / Math.sqrt(50));
    expect(values(plugin, 'head/dense_0/bias').every((v) => v === 0)).toBe(true);
    // Glorot's limit for 50 → 3 is √(6 / 53) ≈ 0.34, well above 1/√50 ≈ 0.14.
    expect(summary(values(plugin, 'head/output/kernel')).max).toBeGreaterThan(1 / Math.sqrt(50));
  });
});
