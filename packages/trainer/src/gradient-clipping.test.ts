import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import reference from './fixtures/torch-reference.json' with { type: 'json' };
import { clipByGlobalNorm } from './gradient-clipping.js';

describe('clipByGlobalNorm', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches torch.nn.utils.clip_grad_norm_', () => {
    const { maxNorm, gradients, norm, clipped } = reference.clipping;
    const [ours, ourNorm] = tf.tidy(() => {
      const result = clipByGlobalNorm(
        gradients.map((g) => tf.tensor(g)),
        maxNorm,
      );
      return [result.gradients.map((g) => Array.from(g!.dataSync())), result.norm.dataSync()[0]!] as const;
    });
    expect(ourNorm).toBeCloseTo(norm, 5);
    clipped.forEach((expected, i) => {
      (expected as number[] | number[][]).flat().forEach((value, j) => {
        expect(ours[i]![j]).toBeCloseTo(value, 6);
      });
    });
  });

  it('leaves gradients under the bound as they are, and nulls alone', () => {
    tf.tidy(() => {
      const { gradients } = clipByGlobalNorm([tf.tensor1d([3, 4]), null], 10);
      expect(Array.from(gradients[0]!.dataSync())).toEqual([3, 4]);
      expect(gradients[1]).toBeNull();
    });
  });
});
