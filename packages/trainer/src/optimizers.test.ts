import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import reference from './fixtures/torch-reference.json' with { type: 'json' };
import { createOptimizer, type OptimizerName } from './optimizers.js';

// Trajectories from torch.optim (scripts/optimizer-reference.py): fixed gradients, a rate that
// changes every step, a kernel (rank 2) and a bias (rank 1).
const lrAt = (step: number, lr: number) => lr * (1 + 0.25 * step);

function run(name: OptimizerName, options: Record<string, unknown>, lr: number, steps: number): number[][][] {
  const variables = reference.initial.map((values) => tf.variable(tf.tensor(values)));
  const optimizer = createOptimizer(name, options);
  const trajectory: number[][][] = [];
  for (let step = 1; step <= steps; step++) {
    const gradients = reference.gradients[step - 1]!.map((values) => tf.tensor(values));
    optimizer.step(variables, gradients, lrAt(step, lr));
    tf.dispose(gradients);
    trajectory.push(variables.map((v) => Array.from(v.dataSync())));
  }
  optimizer.dispose();
  tf.dispose(variables);
  return trajectory;
}

describe('optimisers', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [label, ref] of Object.entries(reference.optimizers)) {
    it(`${label} follows torch.optim step for step`, () => {
      const steps = ref.trajectory.length;
      const ours = run(ref.optimizer as OptimizerName, ref.options, ref.lr, steps);
      for (let step = 0; step < steps; step++) {
        ref.trajectory[step]!.forEach((expected, v) => {
          const flat = (expected as number[] | number[][]).flat();
          flat.forEach((value, i) => {
            expect(ours[step]![v]![i]).toBeCloseTo(value, 5);
          });
        });
      }
    });
  }

  it('takes a first Adam step of lr · sign(g), by hand', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const optimizer = createOptimizer('adam', { epsilon: 1e-12 });
    const g = tf.tensor1d([0.5, -4, 1e-3]);
    optimizer.step([w], [g], 0.1);
    expect(Array.from(w.dataSync()).map((x) => Number(x.toFixed(5)))).toEqual([0.9, 2.1, 2.9]);
    optimizer.dispose();
    tf.dispose([w, g]);
  });

  it('adamw decays kernels but not biases, decoupled from the gradient', () => {
    const kernel = tf.variable(tf.tensor2d([[2]]));
    const bias = tf.variable(tf.tensor1d([2]));
    const optimizer = createOptimizer('adamw', { weightDecay: 0.5 });
    const zero = [tf.tensor2d([[0]]), tf.tensor1d([0])];
    // A zero gradient leaves Adam's step at 0: only the decay w·(1 − lr·wd) remains.
    optimizer.step([kernel, bias], zero, 0.1);
    expect(kernel.dataSync()[0]).toBeCloseTo(2 * (1 - 0.1 * 0.5), 6);
    expect(bias.dataSync()[0]).toBe(2);
    optimizer.dispose();
    tf.dispose([kernel, bias, ...zero]);
  });

  it('round-trips its state: a restored copy continues identically', () => {
    const make = () => reference.initial.map((values) => tf.variable(tf.tensor(values)));
    const grads = (step: number) => reference.gradients[step]!.map((values) => tf.tensor(values));
    const a = make();
    const b = make();
    const first = createOptimizer('adamw', {});
    const second = createOptimizer('adamw', {});
    for (let step = 0; step < 3; step++) {
      const g = grads(step);
      first.step(a, g, 0.01);
      tf.dispose(g);
    }
    b.forEach((v, i) => {
      v.assign(a[i]!);
    });
    const state = first.getState();
    second.setState(state);
    tf.dispose(state.slots.flat());
    expect(second.iterations).toBe(3);
    for (let step = 3; step < 6; step++) {
      const g = grads(step);
      first.step(a, g, 0.01);
      second.step(b, g, 0.01);
      tf.dispose(g);
    }
    a.forEach((v, i) => {
      expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(v.dataSync()));
    });
    first.dispose();
    second.dispose();
    tf.dispose([...a, ...b]);
  });
});
