import { expectGradientsMatchFiniteDifferences } from '@omnifuse/core/testing';
import { fusionOf, loadCpuTf } from '@omnifuse/test-utils/fusion';
import { describe, expect, it } from 'vitest';
import { attentionFusionPlugin } from './attention.js';
import { gmuFusionPlugin } from './gmu.js';
import {
  attentionLayers,
  MASKED_MODALITY_SOFTMAX_CLASS_NAME,
  MODALITY_WEIGHTED_SUM_CLASS_NAME,
} from './layers.js';

// Row 0 has every modality, row 1 misses modality 1, row 2 has only modality 2.
const PRESENCE = [1, 1, 1, 1, 0, 1, 0, 0, 1];

describe('attention layers', () => {
  it('are registered once per tfjs namespace under their class names', async () => {
    const tf = await loadCpuTf();
    const layers = attentionLayers(tf);
    expect(attentionLayers(tf)).toBe(layers);
    const softmax = new layers.MaskedModalitySoftmax({ name: 's' });
    const sum = new layers.ModalityWeightedSum({ name: 'w' });
    expect(softmax.getClassName()).toBe(MASKED_MODALITY_SOFTMAX_CLASS_NAME);
    expect(sum.getClassName()).toBe(MODALITY_WEIGHTED_SUM_CLASS_NAME);
    expect(softmax.getConfig().name).toBe('s');
  });

  it('MaskedModalitySoftmax: gradients match finite differences ([b, M] and [b, M, d] scores)', async () => {
    const tf = await loadCpuTf();
    const presence = tf.tensor2d(PRESENCE, [3, 3]);
    for (const shape of [
      [3, 3],
      [3, 3, 2],
    ]) {
      await expectGradientsMatchFiniteDifferences({
        tf,
        build: () => new (attentionLayers(tf).MaskedModalitySoftmax)(),
        inputs: [tf.randomNormal(shape, 0, 1, 'float32', 5), presence],
        constantInputs: [1],
      });
    }
  });

  it('ModalityWeightedSum: gradients match finite differences (per-modality and per-dimension weights)', async () => {
    const tf = await loadCpuTf();
    const vectors = [0, 1, 2].map((i) => tf.randomNormal([3, 4], 0, 1, 'float32', 10 + i));
    for (const shape of [
      [3, 3],
      [3, 3, 4],
    ]) {
      await expectGradientsMatchFiniteDifferences({
        tf,
        build: () => new (attentionLayers(tf).ModalityWeightedSum)(),
        inputs: [tf.randomUniform(shape, 0, 1, 'float32', 20), ...vectors],
      });
    }
  });

  for (const [plugin, options] of [
    [attentionFusionPlugin, { dim: 4, hidden: 3, output: 'sum+concat' }],
    [gmuFusionPlugin, { dim: 4 }],
  ] as const) {
    it(`${plugin.id}: gradients of the whole fusion match finite differences`, async () => {
      const tf = await loadCpuTf();
      await expectGradientsMatchFiniteDifferences({
        tf,
        build: () => fusionOf(tf, plugin, options),
        inputs: [
          tf.randomNormal([3, 3], 0, 1, 'float32', 1),
          tf.randomNormal([3, 2], 0, 1, 'float32', 2),
          tf.tensor2d([1, 1, 0], [3, 1]),
          tf.tensor2d([1, 0, 1], [3, 1]),
        ],
        constantInputs: [2, 3],
      });
    });
  }
});
