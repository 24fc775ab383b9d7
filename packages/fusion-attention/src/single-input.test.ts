import { buildVectorFusion, predict } from '@omnifuse/test-utils/fusion';
import { describe, expect, it } from 'vitest';
import { attentionFusionPlugin } from './attention.js';
import { gmuFusionPlugin } from './gmu.js';

describe('one input', () => {
  for (const plugin of [attentionFusionPlugin, gmuFusionPlugin]) {
    it(`${plugin.id} fuses a single modality, and zeros or a constant when it is absent`, async () => {
      const { tf, model } = await buildVectorFusion(plugin, {}, [3]);
      const result = await predict(tf, model, [3], [[0.5, -1, 2, 0.1, 0.3, -0.2]], [[1, 0]]);
      expect(result.output.every(Number.isFinite)).toBe(true);
      if (result.weights) expect([...result.weights]).toEqual([1, 0]);
      model.dispose();
    });
  }
});
