import { describeFusionConformance } from '@omnifuse/core/testing';
import { buildVectorFusion, predict } from '@omnifuse/test-utils/fusion';
import { describe, expect, it } from 'vitest';
import { gmuFusionPlugin } from './gmu.js';

describeFusionConformance('gmu (defaults)', {
  plugin: gmuFusionPlugin,
  acceptsSequences: true,
  ignoresMissing: true,
  invalidOptions: [{ dim: 0 }, { dim: 'wide' }, { modalityDropout: -0.1 }, { gates: 'sigmoid' }],
});

describeFusionConformance('gmu (small, modality dropout)', {
  plugin: gmuFusionPlugin,
  options: { dim: 4, modalityDropout: 0.5 },
  acceptsSequences: true,
  ignoresMissing: true,
});

describe('fusion:gmu gates', () => {
  const widths = [3, 2];
  const values = [
    [0.5, -1, 2, 0.1, 0.3, -0.2, 1, 1, 1],
    [1, 0.2, -0.5, 0.7, 0, 0],
  ];

  it('mixes per dimension as the paper’s two-modality unit, and zeroes an absent or empty example', async () => {
    const { tf, model } = await buildVectorFusion(gmuFusionPlugin, { dim: 5 }, widths);
    const result = await predict(tf, model, widths, values, [
      [1, 1, 0],
      [1, 0, 0],
    ]);
    const w = result.weights!;
    expect(w[0]! + w[1]!).toBeCloseTo(1, 5);
    expect(w[0]! > 0 && w[1]! > 0).toBe(true);
    // Row 1 has only modality 0: all of its gate; row 2 has nothing: zero gates, zero output.
    expect([w[2], w[3]]).toEqual([1, 0]);
    expect(w[4] === 0 && w[5] === 0).toBe(true);
    expect(result.output.slice(10).every((v) => v === 0)).toBe(true);
    expect(result.output.every(Number.isFinite)).toBe(true);
    model.dispose();
  });
});
