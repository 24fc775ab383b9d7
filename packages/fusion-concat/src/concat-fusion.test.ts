import { ErrorCode, type FusionInput, OmnifuseError } from '@omnifuse/core';
import { describeFusionConformance, expectGradientsMatchFiniteDifferences } from '@omnifuse/core/testing';
import { expectFreshProcessReload } from '@omnifuse/test-utils/reload';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { concatFusionPlugin, createConcatFusion } from './concat-fusion.js';

describeFusionConformance('concat (defaults)', {
  plugin: concatFusionPlugin,
  acceptsSequences: true,
  ignoresMissing: true,
  invalidOptions: [{ projection: 0 }, { missing: 'mean' }, { modalityDropout: 0.95 }, { extra: 1 }],
});

describeFusionConformance('concat (projection, layer norm, learned missing embedding, modality dropout)', {
  plugin: concatFusionPlugin,
  options: { projection: 8, layerNorm: true, activation: 'gelu', missing: 'embedding', modalityDropout: 0.3 },
  acceptsSequences: true,
  ignoresMissing: true,
});

function vectorInputs(dims: readonly number[]): { inputs: FusionInput[]; symbolic: tf.SymbolicTensor[] } {
  const symbolic: tf.SymbolicTensor[] = [];
  const inputs = dims.map((dim, i): FusionInput => {
    const output = tf.input({ shape: [dim], name: `v${i}` });
    const presence = tf.input({ shape: [1], name: `p${i}` });
    symbolic.push(output, presence);
    return { name: `f${i}`, modality: 'vector', encoded: { kind: 'vector', output, dim }, presence };
  });
  return { inputs, symbolic };
}

describe('fusion:concat', () => {
  it('gives [b, Σ d] without projection and [b, M × projection] with it', () => {
    const { inputs } = vectorInputs([3, 5]);
    expect(createConcatFusion().build({ tf, inputs, name: 'fusion', seed: 1 }).dim).toBe(8);
    const projected = createConcatFusion({ projection: 4 }).build({ tf, inputs, name: 'fusion2', seed: 1 });
    expect(projected.dim).toBe(8);
    expect(projected.output.shape).toEqual([null, 8]);
    expect(projected.weights).toBeUndefined();
  });

  it('puts zeros, or the learned stand-in, where a modality is missing', () => {
    for (const missing of ['zeros', 'embedding'] as const) {
      const { inputs, symbolic } = vectorInputs([2, 3]);
      const fused = createConcatFusion({ missing }).build({ tf, inputs, name: `fusion_${missing}`, seed: 3 });
      const model = tf.model({ inputs: symbolic, outputs: fused.output });
      const out = tf.tidy(() =>
        (
          model.predict([tf.ones([1, 2]), tf.ones([1, 1]), tf.fill([1, 3], 7), tf.zeros([1, 1])]) as tf.Tensor
        ).arraySync(),
      ) as number[][];
      expect(out[0]!.slice(0, 2)).toEqual([1, 1]);
      const stand =
        missing === 'zeros'
          ? [0, 0, 0]
          : [...model.getLayer(`fusion_${missing}/missing_1`).getWeights()[0]!.dataSync()];
      for (const [d, v] of out[0]!.slice(2).entries()) expect(v).toBeCloseTo(stand[d]!, 6);
      if (missing === 'embedding') expect(stand.some((v) => v !== 0)).toBe(true);
      model.dispose();
    }
  });

  it('fails to build without inputs, naming the plugin and step', () => {
    const error = (() => {
      try {
        createConcatFusion().build({ tf, inputs: [], name: 'fusion', seed: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.InvalidConfig, plugin: 'fusion:concat', step: 'build' });
  });

  it('has gradients that match central differences through projection, layer norm and the stand-in', async () => {
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => (xs) => {
        const inputs: FusionInput[] = [
          {
            name: 'a',
            modality: 'vector',
            encoded: { kind: 'vector', output: xs[0]!, dim: 3 },
            presence: xs[1]!,
          },
          {
            name: 'b',
            modality: 'vector',
            encoded: { kind: 'vector', output: xs[2]!, dim: 2 },
            presence: xs[3]!,
          },
        ];
        return createConcatFusion({
          projection: 4,
          layerNorm: true,
          activation: 'tanh',
          missing: 'embedding',
        }).build({
          tf,
          inputs,
          name: 'fusion_grad',
          seed: 5,
        }).output;
      },
      inputs: [
        tf.tensor([
          [0.3, -1.2, 0.8],
          [1.1, 0.4, -0.6],
        ]),
        tf.tensor([[1], [1]]),
        tf.tensor([
          [0.5, -0.9],
          [-1.4, 0.2],
        ]),
        tf.tensor([[1], [0]]),
      ],
    });
  });

  it('reloads in a fresh process and predicts identically', { timeout: 180_000 }, async () => {
    await expectFreshProcessReload({
      fusionPackage: '@omnifuse/fusion-concat',
      fusion: {
        type: 'fusion:concat',
        options: { projection: 8, missing: 'embedding', modalityDropout: 0.2 },
      },
    });
  });
});
