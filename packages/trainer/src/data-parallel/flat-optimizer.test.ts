// The data-parallel trainer's array optimiser against the tfjs one it stands in for: same rules,
// same state in and out (checkpoints), so a run can move between them.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createOptimizer, type OptimizerName } from '../optimizers.js';
import { clipFlatByGlobalNorm, FlatOptimizer } from './flat-optimizer.js';

const shapes = [[3, 4], [4], [2, 2]] as const;

function random(seed: number, n: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
}

const cases: [OptimizerName, Record<string, number | boolean>][] = [
  ['sgd', {}],
  ['sgd', { momentum: 0.9, nesterov: true }],
  ['sgd', { weightDecay: 0.05 }],
  ['adam', { weightDecay: 0.05 }],
  ['rmsprop', { momentum: 0.5 }],
  ['adam', {}],
  ['adamw', { weightDecay: 0.1 }],
];

describe('FlatOptimizer', () => {
  it.each(cases)(
    '%s %j updates as the tfjs optimiser does, and hands its state back',
    async (name, options) => {
      const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
      const initial = sizes.map((n, i) => random(i + 1, n));
      const variables = initial.map((data, i) =>
        tf.variable(tf.tensor(data, shapes[i] as unknown as number[])),
      );
      const reference = createOptimizer(name, options);
      const flatSource = createOptimizer(name, options);
      const flat = await FlatOptimizer.from(flatSource, sizes);
      const weights = initial.map((data) => Float32Array.from(data));
      const lrScales = [1, 0.5, 2];
      for (let step = 0; step < 4; step++) {
        // The second variable gets no gradient on the first step: its slots start later.
        const grads = sizes.map((n, i) => (step === 0 && i === 1 ? null : random(100 * step + i, n)));
        const tensors = grads.map((g, i) => (g ? tf.tensor(g, shapes[i] as unknown as number[]) : null));
        reference.step(variables, tensors, 0.05, lrScales);
        tf.dispose(tensors.filter((t): t is tf.Tensor => t !== null));
        flat.step(
          weights,
          grads,
          shapes.map((s) => s.length),
          0.05,
          lrScales,
        );
      }
      for (let i = 0; i < sizes.length; i++) {
        const expected = await variables[i]!.data();
        weights[i]!.forEach((value, j) => {
          expect(value).toBeCloseTo(expected[j]!, 5);
        });
      }
      flat.storeInto(flatSource, shapes);
      const [a, b] = [reference.getState(), flatSource.getState()];
      expect(b.step).toBe(a.step);
      expect(b.slots.map((s) => s.length)).toEqual(a.slots.map((s) => s.length));
      for (let i = 0; i < a.slots.length; i++) {
        for (let k = 0; k < a.slots[i]!.length; k++) {
          const [x, y] = [await a.slots[i]![k]!.data(), await b.slots[i]![k]!.data()];
          x.forEach((value, j) => {
            expect(y[j]).toBeCloseTo(value, 5);
          });
        }
      }
      tf.dispose([...variables, ...a.slots.flat(), ...b.slots.flat()]);
      reference.dispose();
      flatSource.dispose();
    },
  );

  it('clips by global norm as clipByGlobalNorm does', () => {
    const grads = [Float32Array.of(3, 0), null, Float32Array.of(4)];
    expect(clipFlatByGlobalNorm(grads, 1)).toBeCloseTo(5, 6);
    expect(grads[0]![0]).toBeCloseTo(0.6, 5);
    expect(grads[2]![0]).toBeCloseTo(0.8, 5);
    const small = [Float32Array.of(0.1)];
    clipFlatByGlobalNorm(small, 1);
    expect(small[0]![0]).toBeCloseTo(0.1, 7);
  });
});
