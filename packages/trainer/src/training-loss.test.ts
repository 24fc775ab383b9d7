import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveClassWeights, trainingLoss } from './training-loss.js';

const task = { type: 'classification' as const, field: 'y', labels: ['a', 'b'] };

describe('training loss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the plain mean cross-entropy without weights or smoothing', () => {
    tf.tidy(() => {
      const target = tf.tensor2d([
        [1, 0],
        [0, 1],
      ]);
      const prediction = tf.tensor2d([
        [0.8, 0.2],
        [0.4, 0.6],
      ]);
      const loss = trainingLoss(task, target, prediction, { classWeights: null, labelSmoothing: 0 });
      expect(loss.dataSync()[0]).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 6);
    });
  });

  it("learns from a confidently wrong example: the gradient is PyTorch's p − y at any logit gap", () => {
    tf.tidy(() => {
      const three = { type: 'classification' as const, field: 'y', labels: ['a', 'b', 'c'] };
      // The true class sits 20 below the top logit: p_y ≈ 2e-9, far under Keras's 1e-7 clip.
      const logits = tf.tensor2d([[0, 20, 1]]);
      const target = tf.tensor2d([[1, 0, 0]]);
      const shaping = { classWeights: null, labelSmoothing: 0 };
      const grad = tf.grad((z: tf.Tensor) => trainingLoss(three, target, tf.softmax(z), shaping));
      const p = Array.from(tf.softmax(logits).dataSync());
      const g = Array.from(grad(logits).dataSync());
      expect(p[0]).toBeLessThan(1e-8);
      const expected = [p[0]! - 1, p[1]!, p[2]!];
      for (let i = 0; i < 3; i++) expect(g[i]).toBeCloseTo(expected[i]!, 6);
      // And the loss is −log p_y, ≈ 20, not the clip's 16.1.
      const loss = trainingLoss(three, target, tf.softmax(logits), shaping).dataSync()[0]!;
      expect(loss).toBeCloseTo(-Math.log(p[0]!), 3);
      expect(loss).toBeGreaterThan(19.9);
    });
  });

  it('weights examples by their class as PyTorch does (Σ w·l / Σ w) and smooths targets', () => {
    tf.tidy(() => {
      const target = tf.tensor2d([
        [1, 0],
        [0, 1],
      ]);
      const prediction = tf.tensor2d([
        [0.8, 0.2],
        [0.4, 0.6],
      ]);
      const weighted = trainingLoss(task, target, prediction, {
        classWeights: tf.tensor1d([1, 3]),
        labelSmoothing: 0,
      });
      expect(weighted.dataSync()[0]).toBeCloseTo(-(Math.log(0.8) + 3 * Math.log(0.6)) / 4, 6);
      const smoothed = trainingLoss(task, target, prediction, { classWeights: null, labelSmoothing: 0.2 });
      // Targets become 0.9 / 0.1.
      const first = -(0.9 * Math.log(0.8) + 0.1 * Math.log(0.2));
      const second = -(0.1 * Math.log(0.4) + 0.9 * Math.log(0.6));
      expect(smoothed.dataSync()[0]).toBeCloseTo((first + second) / 2, 6);
    });
  });

  it('resolves balanced and per-label class weights', async () => {
    const target = tf.tensor2d([
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    await expect(resolveClassWeights('balanced', task, target)).resolves.toEqual([4 / 6, 2]);
    await expect(resolveClassWeights({ b: 5 }, task, target)).resolves.toEqual([1, 5]);
    await expect(resolveClassWeights({ c: 5 }, task, target)).rejects.toThrow(
      /labels the task does not have/,
    );
    await expect(resolveClassWeights(undefined, task, target)).resolves.toBeNull();
    target.dispose();
  });
});
