import { describeFusionConformance } from '@omnifuse/core/testing';
import { buildVectorFusion, predict } from '@omnifuse/test-utils/fusion';
import { describe, expect, it } from 'vitest';
import { lowRankTensorFusionPlugin } from './low-rank-tensor.js';

describeFusionConformance('low-rank tensor (defaults)', {
  plugin: lowRankTensorFusionPlugin,
  acceptsSequences: true,
  ignoresMissing: true,
  invalidOptions: [
    { rank: 0 },
    { outputDim: 1.5 },
    { missing: 'drop' },
    { modalityDropout: 0.95 },
    { dim: 8 },
  ],
});

describeFusionConformance('low-rank tensor (rank 1, learned missing embedding, modality dropout)', {
  plugin: lowRankTensorFusionPlugin,
  options: { rank: 1, outputDim: 5, missing: 'embedding', modalityDropout: 0.3 },
  acceptsSequences: true,
  ignoresMissing: true,
});

describe('fusion:low-rank-tensor', () => {
  it('equals Σ_i Π_m ([x_m, 1] · W_m^(i)) with the layer’s factors, zeros for a missing modality', async () => {
    const widths = [3, 2, 1];
    const values = [
      [0.5, -1, 2, 0.1, 0.3, -0.2],
      [1, 0.2, -0.5, 0.7],
      [0.3, -2],
    ];
    const presence = [
      [1, 1],
      [1, 1],
      [1, 0],
    ];
    const rank = 3;
    const units = 4;
    const { tf, model } = await buildVectorFusion(
      lowRankTensorFusionPlugin,
      { rank, outputDim: units },
      widths,
    );
    const factors = model
      .getLayer('fusion/low_rank')
      .getWeights()
      .map((w) => w.arraySync() as number[][][]);
    expect(factors.map((f) => [f.length, f[0]!.length, f[0]![0]!.length])).toEqual([
      [rank, 4, units],
      [rank, 3, units],
      [rank, 2, units],
    ]);
    const result = await predict(tf, model, widths, values, presence);
    for (const row of [0, 1]) {
      const extended = widths.map((w, m) => [
        ...values[m]!.slice(row * w, row * w + w).map((v) => v * presence[m]![row]!),
        1,
      ]);
      for (let u = 0; u < units; u++) {
        let expected = 0;
        for (let i = 0; i < rank; i++) {
          let product = 1;
          widths.forEach((_, m) => {
            product *= extended[m]!.reduce((s, x, k) => s + x * factors[m]![i]![k]![u]!, 0);
          });
          expected += product;
        }
        expect(result.output[row * units + u]).toBeCloseTo(expected, 5);
      }
    }
    model.dispose();
  });
});
