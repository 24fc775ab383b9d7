import { ErrorCode, type FusionInput } from '@omnifuse/core';
import { describeFusionConformance, expectGradientsMatchFiniteDifferences } from '@omnifuse/core/testing';
import { expectFreshProcessReload } from '@omnifuse/test-utils/reload';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createLateFusion, lateFusionPlugin } from './late-fusion.js';
import { lateFusionLayers } from './late-fusion-weights.js';

const invalidOptions = [
  { combine: 'weighted' },
  { combine: 'mean', weights: [1, 1] },
  { combine: 'weighted', weights: [0, 0] },
  { combine: 'weighted', weights: [-1, 2] },
  { decisionDim: 0 },
  { combine: 'max' },
  { extra: true },
];

describeFusionConformance('late (mean)', {
  plugin: lateFusionPlugin,
  options: { decisionDim: 8 },
  acceptsSequences: true,
  ignoresMissing: true,
  invalidOptions,
});
describeFusionConformance('late (weighted)', {
  plugin: lateFusionPlugin,
  // The conformance kit's three inputs: two vectors and a sequence.
  options: { combine: 'weighted', weights: [1, 2, 3], decisionDim: 8 },
  acceptsSequences: true,
  ignoresMissing: true,
});
describeFusionConformance('late (learned, hidden layers, modality dropout)', {
  plugin: lateFusionPlugin,
  options: { combine: 'learned', hidden: [8], decisionDim: 8, modalityDropout: 0.3 },
  acceptsSequences: true,
  ignoresMissing: true,
});
describeFusionConformance('late (stacking)', {
  plugin: lateFusionPlugin,
  options: { combine: 'stacking', decisionDim: 8, stackingUnits: 6 },
  acceptsSequences: true,
  ignoresMissing: true,
});

function vectorInputs(m: number): { inputs: FusionInput[]; symbolic: tf.SymbolicTensor[] } {
  const symbolic: tf.SymbolicTensor[] = [];
  const inputs = Array.from({ length: m }, (_, i): FusionInput => {
    const output = tf.input({ shape: [2], name: `v${i}` });
    const presence = tf.input({ shape: [1], name: `p${i}` });
    symbolic.push(output, presence);
    return { name: `f${i}`, modality: 'vector', encoded: { kind: 'vector', output, dim: 2 }, presence };
  });
  return { inputs, symbolic };
}

/** The fusion weights of a three-input late fusion for the given per-example presences. */
function weightsFor(options: unknown, presence: number[][]): number[][] {
  const { inputs, symbolic } = vectorInputs(3);
  const fused = createLateFusion(options).build({ tf, inputs, name: 'fusion', seed: 1 });
  const model = tf.model({ inputs: symbolic, outputs: fused.weights! });
  const n = presence.length;
  const out = tf.tidy(() => {
    const xs = [0, 1, 2].flatMap((k) => [tf.ones([n, 2]), tf.tensor(presence.map((row) => [row[k]!]))]);
    return (model.predict(xs) as tf.Tensor).arraySync() as number[][];
  });
  model.dispose();
  return out;
}

const close = (actual: number[][], expected: number[][]) => {
  for (const [r, row] of expected.entries()) {
    for (const [k, v] of row.entries()) expect(actual[r]![k]!, `row ${r}, modality ${k}`).toBeCloseTo(v, 6);
  }
};

describe('fusion:late', () => {
  const presence = [
    [1, 1, 1],
    [1, 0, 1],
    [0, 1, 0],
  ];

  it('renormalises mean and fixed weights over the present modalities', () => {
    close(weightsFor({}, presence), [
      [1 / 3, 1 / 3, 1 / 3],
      [0.5, 0, 0.5],
      [0, 1, 0],
    ]);
    close(weightsFor({ combine: 'weighted', weights: [1, 2, 3] }, presence), [
      [1 / 6, 2 / 6, 3 / 6],
      [0.25, 0, 0.75],
      [0, 1, 0],
    ]);
    // Learned logits start at 0: the mean.
    close(weightsFor({ combine: 'learned' }, presence), weightsFor({}, presence));
  });

  it('has no weights with stacking', () => {
    const { inputs } = vectorInputs(2);
    const fused = createLateFusion({ combine: 'stacking', stackingUnits: 5 }).build({
      tf,
      inputs,
      name: 'f',
      seed: 1,
    });
    expect(fused.weights).toBeUndefined();
    expect(fused.dim).toBe(5);
  });

  it('rejects fixed weights that do not match the inputs at build (E_CONFIG), bad ones at create (E_OPTIONS)', () => {
    const { inputs } = vectorInputs(2);
    const fusion = createLateFusion({ combine: 'weighted', weights: [1, 2, 3] });
    expect(() => fusion.build({ tf, inputs, name: 'fusion', seed: 1 })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidConfig, plugin: 'fusion:late', step: 'build' }),
    );
    expect(() => createLateFusion({ combine: 'weighted' })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, plugin: 'fusion:late', path: 'weights' }),
    );
  });

  it('has LateFusionWeights gradients (learned logits) that match central differences', async () => {
    const { LateFusionWeights } = lateFusionLayers(tf);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => (xs) => {
        const layer = new LateFusionWeights({ mode: 'learned' });
        const out = layer.apply(xs[0]!) as tf.SymbolicTensor;
        // Non-zero logits, so the check is not at the symmetric start.
        layer.setWeights([tf.tensor1d([0.3, -0.5, 1.1])]);
        return out;
      },
      inputs: [tf.tensor(presence)],
      constantInputs: [0],
    });
    for (const mode of ['mean', 'weighted'] as const) {
      await expectGradientsMatchFiniteDifferences({
        tf,
        build: () => new LateFusionWeights({ mode, weights: mode === 'weighted' ? [1, 2, 3] : null }),
        // Presences as real numbers away from 0, where the renormalisation is smooth in them.
        inputs: [
          tf.tensor([
            [0.5, 1, 0.8],
            [1, 0.3, 0.6],
          ]),
        ],
      });
    }
  });

  it('reloads in a fresh process and predicts identically, fusion weights included', {
    timeout: 180_000,
  }, async () => {
    await expectFreshProcessReload({
      fusionPackage: '@omnifuse/fusion-late',
      fusion: { type: 'fusion:late', options: { combine: 'learned', hidden: [8], decisionDim: 8 } },
    });
  });

  it('reloads stacking in a fresh process', { timeout: 180_000 }, async () => {
    await expectFreshProcessReload({
      fusionPackage: '@omnifuse/fusion-late',
      fusion: { type: 'fusion:late', options: { combine: 'stacking', decisionDim: 8, modalityDropout: 0.2 } },
    });
  });
});
