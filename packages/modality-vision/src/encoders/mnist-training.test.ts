// End to end through the trainer: vision:cnn learns MNIST digits from decoded images in records.
import { createDataset } from '@omnifuse/core';
import { train } from '@omnifuse/trainer';
import { describe, expect, it } from 'vitest';
import { cnnEncoderPlugin } from './cnn.js';
import { mnist } from './test-fixtures.js';

describe('vision:cnn on MNIST through train()', () => {
  it('beats chance clearly after two epochs on 1,000 digits', async () => {
    const [trainDigits, testDigits] = await Promise.all([mnist('train', 1000), mnist('t10k', 500)]);
    const records = [
      ...trainDigits.images.map((image, i) => ({
        id: `train-${i}`,
        image,
        label: String(trainDigits.labels[i]),
        split: i < 900 ? 'train' : 'validation',
      })),
      ...testDigits.images.map((image, i) => ({
        id: `test-${i}`,
        image,
        label: String(testDigits.labels[i]),
        split: 'test',
      })),
    ];
    const result = await train({
      dataset: createDataset(records),
      registry: [cnnEncoderPlugin],
      cache: false,
      backend: 'auto',
      spec: {
        inputs: [
          {
            field: 'image',
            encoder: 'vision:cnn',
            options: {
              preset: 'lenet',
              inChannels: 1,
              preprocess: { size: { width: 28, height: 28 }, channels: 1 },
            },
          },
        ],
        output: { type: 'classification', field: 'label' },
        split: { type: 'column', column: 'split' },
        training: { epochs: 2, batchSize: 32, learningRate: 0.003, seed: 7 },
      },
    });
    expect(result.labels).toHaveLength(10);
    expect(result.metrics.test?.size).toBe(500);
    // Chance is 0.1; LeNet reaches ~0.9 here, so 0.6 leaves room for backend differences.
    expect(result.metrics.test?.accuracy).toBeGreaterThan(0.6);
    const [prediction] = await result.model.predict([{ id: 'one', image: testDigits.images[0] }]);
    expect(prediction?.prediction).toBe(String(testDigits.labels[0]));
    result.model.dispose?.();
  });
});
