import { ErrorCode, type FusionInput, OmnifuseError } from '@omnifuse/core';
import { describeFusionConformance } from '@omnifuse/core/testing';
import { buildVectorFusion, loadCpuTf, predict } from '@omnifuse/test-utils/fusion';
import { describe, expect, it } from 'vitest';
import { createTensorFusion, tensorFusionPlugin } from './tensor.js';

describeFusionConformance('tensor (defaults)', {
  plugin: tensorFusionPlugin,
  acceptsSequences: true,
  ignoresMissing: true,
  invalidOptions: [{ dim: 0 }, { activation: 'gelu' }, { missing: 'mean' }, { maxOutput: -1 }, { rank: 2 }],
});

describeFusionConformance('tensor (learned missing embedding, modality dropout)', {
  plugin: tensorFusionPlugin,
  options: { dim: 3, activation: 'linear', missing: 'embedding', modalityDropout: 0.3 },
  acceptsSequences: true,
  ignoresMissing: true,
});

/** Row-major `[b, Π(d_m + 1)]` outer product of the rows of `vectors[m]` ([b][d_m]), each with a 1 appended. */
function outerProduct(vectors: number[][][]): number[][] {
  return vectors[0]!.map((_, row) =>
    vectors.reduce<number[]>(
      (product, vector) => product.flatMap((a) => [...vector[row]!, 1].map((b) => a * b)),
      [1],
    ),
  );
}

describe('fusion:tensor', () => {
  const widths = [3, 2];
  const values = [
    [0.5, -1, 2, 0.1, 0.3, -0.2],
    [1, 0.2, -0.5, 0.7],
  ];
  const kernels = [
    [
      [0.1, -0.2],
      [0.3, 0.4],
      [-0.5, 0.6],
    ],
    [
      [0.7, -0.1],
      [0.05, 0.3],
    ],
  ];
  const biases = [
    [0.01, -0.02],
    [0.1, -0.1],
  ];

  it('equals the outer product of [tanh(x W + b), 1] per modality, with zeros for a missing one', async () => {
    const { tf, model } = await buildVectorFusion(tensorFusionPlugin, { dim: 2 }, widths);
    kernels.forEach((kernel, m) => {
      model.getLayer(`fusion/project_${m}`).setWeights([tf.tensor2d(kernel), tf.tensor1d(biases[m]!)]);
    });
    const presence = [
      [1, 1],
      [1, 0],
    ];
    const result = await predict(tf, model, widths, values, presence);
    const projected = kernels.map((kernel, m) =>
      [0, 1].map((row) =>
        kernel[0]!.map(
          (_, j) =>
            presence[m]![row]! *
            Math.tanh(
              biases[m]![j]! + kernel.reduce((s, w, k) => s + values[m]![row * widths[m]! + k]! * w[j]!, 0),
            ),
        ),
      ),
    );
    const expected = outerProduct(projected).flat();
    expect(result.output.length).toBe(2 * 3 * 3);
    for (const [i, v] of result.output.entries()) expect(v).toBeCloseTo(expected[i]!, 6);
    // With modality 1 missing, row 1 keeps modality 0's linear terms and the constant only.
    const [z0, z1] = projected[0]![1]!;
    for (const [j, v] of [0, 0, z0!, 0, 0, z1!, 0, 0, 1].entries()) {
      expect(result.output[9 + j]).toBeCloseTo(v, 6);
    }
    model.dispose();
  });

  it('rejects a product wider than maxOutput at build with E_OPTIONS naming the plugin and step', async () => {
    const tf = await loadCpuTf();
    const inputs: FusionInput[] = [0, 1, 2].map((i) => ({
      name: `f${i}`,
      modality: 'vector',
      encoded: { kind: 'vector', output: tf.input({ shape: [4] }), dim: 4 },
      presence: tf.input({ shape: [1] }),
    }));
    const build = (options: unknown) => () =>
      createTensorFusion(options).build({ tf, inputs, name: 'fusion', seed: 1 });
    const error = (() => {
      try {
        build({ dim: 30 })();
      } catch (e) {
        return e;
      }
    })();
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.InvalidOptions, plugin: 'fusion:tensor', step: 'build' });
    expect(build({ dim: 30, maxOutput: 30_000 })().dim).toBe(31 ** 3);
  });
});
