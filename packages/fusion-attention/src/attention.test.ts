import { describeFusionConformance } from '@omnifuse/core/testing';
import { buildVectorFusion, predict } from '@omnifuse/test-utils/fusion';
import { describe, expect, it } from 'vitest';
import { attentionFusionPlugin } from './attention.js';

const invalidOptions = [
  { dim: 0 },
  { dim: 2.5 },
  { activation: 'relu' },
  { hidden: -1 },
  { output: 'concat' },
  { modalityDropout: 1 },
  { unknown: true },
];

describeFusionConformance('attention (defaults)', {
  plugin: attentionFusionPlugin,
  acceptsSequences: true,
  ignoresMissing: true,
  invalidOptions,
});

describeFusionConformance('attention (MLP scorer, sum+concat, linear, modality dropout)', {
  plugin: attentionFusionPlugin,
  options: { dim: 8, hidden: 6, output: 'sum+concat', activation: 'linear', modalityDropout: 0.3 },
  acceptsSequences: true,
  ignoresMissing: true,
});

describe('fusion:attention weights', () => {
  const widths = [3, 4, 5];
  const values = [
    [0.5, -1, 2, 0.1, 0.3, -0.2],
    [1, 0.2, -0.5, 0.7, -1.2, 0.4, 0.9, -0.1],
    [-0.3, 0.8, 0.1, 1.5, -0.6, 0.2, 0.3, -0.9, 1.1, 0.05],
  ];

  it('gives an absent modality weight 0 and renormalises the others', async () => {
    const { tf, model } = await buildVectorFusion(attentionFusionPlugin, { dim: 8, hidden: 4 }, widths);
    const all = await predict(tf, model, widths, values, [
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    // Row 0 misses modality 1, row 1 misses modality 2.
    const some = await predict(tf, model, widths, values, [
      [1, 1],
      [0, 1],
      [1, 0],
    ]);
    for (const [row, absent] of [
      [0, 1],
      [1, 2],
    ] as const) {
      const before = all.weights!.slice(row * 3, row * 3 + 3);
      const after = some.weights!.slice(row * 3, row * 3 + 3);
      expect(after[absent]).toBe(0);
      for (let k = 0; k < 3; k++) {
        if (k === absent) continue;
        expect(after[k]).toBeCloseTo(before[k]! / (1 - before[absent]!), 5);
      }
    }
    model.dispose();
  });

  it('gives zero weights and a zero output, not NaN, to an example with nothing present', async () => {
    for (const output of ['sum', 'sum+concat']) {
      const { tf, model } = await buildVectorFusion(attentionFusionPlugin, { dim: 8, output }, widths);
      const result = await predict(tf, model, widths, values, [
        [0, 1],
        [0, 1],
        [0, 1],
      ]);
      const width = result.output.length / 2;
      // -0 and 0 both count: the output is Σ 0 · v.
      expect(result.output.slice(0, width).every((v) => v === 0)).toBe(true);
      expect(result.weights!.slice(0, 3).every((w) => w === 0)).toBe(true);
      expect(result.weights!.slice(3).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      model.dispose();
    }
  });
});
