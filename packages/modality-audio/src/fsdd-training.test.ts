import { readdirSync } from 'node:fs';
import { createDataset } from '@omnifuse/core';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { train } from '@omnifuse/trainer';
import { expect, it } from 'vitest';
import { cnn2dEncoderPlugin } from './encoders/index.js';

/**
 * End to end on real speech: audio:cnn2d trained on a slice of FSDD (two speakers, 0.5 s log-mel
 * clips, a few epochs) and scored on the dataset's own test indices (0–4). Chance is 10%.
 */
describeWithData(['fsdd', 'recordings'], 'audio:cnn2d trained on FSDD', () => {
  const recordings = sharedDataPath('fsdd', 'recordings');
  const records = readdirSync(recordings)
    .filter((file) => /^\d_(george|jackson)_\d+\.wav$/.test(file))
    .sort()
    .flatMap((file) => {
      const [digit, speaker, index] = file.slice(0, -'.wav'.length).split('_') as [string, string, string];
      const i = Number(index);
      // Index 0–4 test (the official split), 5–24 train, 25–27 validation; the rest left out for speed.
      const split = i < 5 ? 'test' : i < 25 ? 'train' : i < 28 ? 'validation' : undefined;
      return split ? [{ id: file, audio: file, label: digit, speaker, split }] : [];
    });

  it('scores well above chance on the official test indices', { timeout: 60_000 }, async () => {
    const dataset = createDataset(records, {
      root: recordings,
      fieldTypes: { audio: 'audio', label: 'category', split: 'category' },
    });
    const result = await train({
      dataset,
      registry: [cnn2dEncoderPlugin],
      backend: 'wasm',
      cache: false,
      spec: {
        inputs: [
          {
            field: 'audio',
            encoder: 'audio:cnn2d',
            options: {
              preprocess: {
                duration: 0.5,
                gain: { mode: 'peak', target: 0.9 },
                features: { kind: 'logmel', nFft: 256, hopLength: 128, nMels: 32 },
              },
              baseFilters: 4,
              extraBlocks: 2,
              firstKernel: 3,
              head: 'flatten',
            },
          },
        ],
        output: { type: 'classification', field: 'label' },
        split: { type: 'column', column: 'split' },
        training: { epochs: 6, batchSize: 16, learningRate: 0.003, seed: 1 },
      },
    });
    try {
      const test = result.metrics.test;
      expect(test).toBeDefined();
      expect(records.filter((r) => r.split === 'train')).toHaveLength(400);
      expect(test?.size).toBe(100);
      // Chance is 0.1; a working pipeline gets well above 0.5 even from this small a slice.
      expect(test?.accuracy).toBeGreaterThan(0.5);
    } finally {
      result.model.dispose();
    }
  });
});
