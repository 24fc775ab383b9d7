import { expectGradientsMatchFiniteDifferences } from '@omnifuse/core/testing';
import { fusionOf, loadCpuTf } from '@omnifuse/test-utils/fusion';
import { describe, expect, it } from 'vitest';
import { LOW_RANK_FUSION_CLASS_NAME, TENSOR_FUSION_CLASS_NAME, tensorLayers } from './layers.js';
import { lowRankTensorFusionPlugin } from './low-rank-tensor.js';
import { tensorFusionPlugin } from './tensor.js';

describe('tensor layers', () => {
  it('are registered once per tfjs namespace under their class names, with their config', async () => {
    const tf = await loadCpuTf();
    const layers = tensorLayers(tf);
    expect(tensorLayers(tf)).toBe(layers);
    expect(new layers.TensorFusion().getClassName()).toBe(TENSOR_FUSION_CLASS_NAME);
    const lowRank = new layers.LowRankFusion({ rank: 2, units: 3, seed: 9, name: 'lr' });
    expect(lowRank.getClassName()).toBe(LOW_RANK_FUSION_CLASS_NAME);
    expect(lowRank.getConfig()).toMatchObject({ name: 'lr', rank: 2, units: 3, seed: 9 });
    expect(() => new layers.LowRankFusion({ rank: 0, units: 3, seed: 9 })).toThrow(/rank/);
  });

  const vectors = async () => {
    const tf = await loadCpuTf();
    return {
      tf,
      inputs: [
        tf.randomNormal([3, 3], 0, 1, 'float32', 1),
        tf.randomNormal([3, 2], 0, 1, 'float32', 2),
        tf.randomNormal([3, 1], 0, 1, 'float32', 3),
      ],
    };
  };

  it('TensorFusion: gradients match finite differences (one, two and three modalities)', async () => {
    const { tf, inputs } = await vectors();
    for (const count of [1, 2, 3]) {
      await expectGradientsMatchFiniteDifferences({
        tf,
        build: () => new (tensorLayers(tf).TensorFusion)(),
        inputs: inputs.slice(0, count),
      });
    }
  });

  it('LowRankFusion: gradients for inputs and factors match finite differences', async () => {
    const { tf, inputs } = await vectors();
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new (tensorLayers(tf).LowRankFusion)({ rank: 3, units: 4, seed: 5 }),
      inputs,
    });
  });

  for (const [plugin, options] of [
    [tensorFusionPlugin, { dim: 3, missing: 'embedding' }],
    [lowRankTensorFusionPlugin, { rank: 2, outputDim: 3, missing: 'embedding' }],
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
