import type { EncodedOutput, FusionInput } from '@omnifuse/core';
import { expectGradientsMatchFiniteDifferences } from '@omnifuse/core/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformerFusionOptionsInput } from './transformer-fusion.js';
import { createTransformerFusion } from './transformer-fusion.js';

const BATCH = 4;
const LENGTH = 5;
const SMALL = { dim: 8, numHeads: 2, ffDim: 16, layers: 1 } as const;

interface Field {
  readonly kind: 'vector' | 'sequence';
  readonly width: number;
}

const VECTOR: Field = { kind: 'vector', width: 3 };
const SEQUENCE: Field = { kind: 'sequence', width: 2 };

const models: tf.LayersModel[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  for (const model of models.splice(0)) model.dispose();
});

/** Inputs: each field's values, then the sequences' masks, then every presence. */
function fusionModel(fields: readonly Field[], options: TransformerFusionOptionsInput, seed = 7) {
  const values = fields.map((f, i) =>
    tf.input({ shape: f.kind === 'vector' ? [f.width] : [LENGTH, f.width], name: `values_${i}` }),
  );
  const masks = fields.map((f, i) =>
    f.kind === 'sequence' ? tf.input({ shape: [LENGTH], name: `mask_${i}` }) : null,
  );
  const presences = fields.map((_, i) => tf.input({ shape: [1], name: `presence_${i}` }));
  const inputs: FusionInput[] = fields.map((f, i) => {
    const encoded: EncodedOutput =
      f.kind === 'vector'
        ? { kind: 'vector', output: values[i]!, dim: f.width }
        : { kind: 'sequence', output: values[i]!, mask: masks[i]!, length: LENGTH, dim: f.width };
    return {
      name: `field_${i}`,
      modality: f.kind === 'vector' ? 'vector' : 'text',
      encoded,
      presence: presences[i]!,
    };
  });
  const fused = createTransformerFusion(options).build({ tf, inputs, name: 'fusion', seed });
  const model = tf.model({
    inputs: [...values, ...masks.filter((m) => m !== null), ...presences],
    outputs: fused.output,
  });
  models.push(model);
  return { fused, model };
}

function batch(
  fields: readonly Field[],
  seed: number,
  presence: number[][] = fields.map(() => [1, 1, 1, 1]),
) {
  const values = fields.map((f, i) =>
    tf.randomNormal(
      f.kind === 'vector' ? [BATCH, f.width] : [BATCH, LENGTH, f.width],
      0,
      1,
      'float32',
      seed + i,
    ),
  );
  // Row r has r + 2 real positions (the last row none padded).
  const mask = tf.tensor(
    Array.from({ length: BATCH }, (_, r) => Array.from({ length: LENGTH }, (_, j) => (j < r + 2 ? 1 : 0))),
  );
  const masks = fields.filter((f) => f.kind === 'sequence').map(() => mask);
  return { values, masks, presences: presence.map((p) => tf.tensor(p, [BATCH, 1])) };
}

function predict(model: tf.LayersModel, b: ReturnType<typeof batch>): Float32Array {
  return (model.predict([...b.values, ...b.masks, ...b.presences]) as tf.Tensor).dataSync() as Float32Array;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i]!)), 0);
}

describe('fusion:transformer', () => {
  it('gives the same [CLS] output whatever a missing modality’s tokens are (cross-attention and positions on)', () => {
    const fields = [VECTOR, SEQUENCE, VECTOR];
    const { model } = fusionModel(fields, { ...SMALL, crossAttention: true, positions: true });
    for (const missing of [0, 1]) {
      const presence = fields.map((_, i) => (i === missing ? [0, 1, 0, 1] : [1, 1, 1, 1]));
      const first = batch(fields, 1, presence);
      const second = { ...first, values: first.values.map((v, i) => (i === missing ? tf.mul(v, -7) : v)) };
      const before = predict(model, first);
      const after = predict(model, second);
      const row = (values: Float32Array, r: number) => values.slice(r * SMALL.dim, (r + 1) * SMALL.dim);
      for (const r of [0, 2]) {
        expect(
          maxDifference(row(before, r), row(after, r)),
          `row ${r}, modality ${missing} missing`,
        ).toBeLessThan(1e-5);
      }
      // …while the rows where it is present do change.
      expect(
        maxDifference(row(before, 1), row(after, 1)),
        `row 1, modality ${missing} present`,
      ).toBeGreaterThan(1e-4);
    }
  });

  it('outputs [CLS] alone, finite, when every modality is missing', () => {
    const fields = [VECTOR, SEQUENCE];
    const { model } = fusionModel(fields, SMALL);
    const none = fields.map(() => [0, 0, 0, 0]);
    const first = predict(model, batch(fields, 2, none));
    const second = predict(model, batch(fields, 3, none));
    expect(first.every(Number.isFinite)).toBe(true);
    expect(maxDifference(first, second)).toBeLessThan(1e-6);
  });

  it('adds cross-attention layers only when asked, with the same output shape', () => {
    const fields = [VECTOR, SEQUENCE];
    const off = fusionModel(fields, SMALL);
    const on = fusionModel(fields, { ...SMALL, crossAttention: true });
    const crossLayers = (m: tf.LayersModel) =>
      m.layers.filter((l) => l.name.includes('/cross_')).map((l) => l.name);
    expect(crossLayers(off.model)).toEqual([]);
    expect(crossLayers(on.model)).toContain('fusion/cross_0/attention');
    expect(crossLayers(on.model)).toContain('fusion/cross_1/attention');
    for (const { fused, model } of [off, on]) {
      expect(fused.output.shape).toEqual([null, SMALL.dim]);
      expect(model.outputs[0]!.shape).toEqual([null, SMALL.dim]);
      expect(fused.weights).toBeUndefined();
    }
    const b = batch(fields, 4);
    expect(maxDifference(predict(off.model, b), predict(on.model, b))).toBeGreaterThan(1e-4);
    // One modality has nothing to attend to: cross-attention adds no layers.
    expect(crossLayers(fusionModel([VECTOR], { ...SMALL, crossAttention: true }).model)).toEqual([]);
  });

  it('fuses vector-only inputs (one token each), and a single vector', () => {
    for (const fields of [[VECTOR, { kind: 'vector', width: 6 } as Field], [VECTOR]]) {
      for (const pooling of ['cls', 'mean'] as const) {
        const { fused, model } = fusionModel(fields, { ...SMALL, pooling, crossAttention: true });
        const out = predict(model, batch(fields, 5));
        expect(fused.dim).toBe(SMALL.dim);
        expect(out.length).toBe(BATCH * SMALL.dim);
        expect(out.every(Number.isFinite), `${fields.length} vectors, ${pooling}`).toBe(true);
      }
    }
  });

  it('has whole-fusion gradients that match finite differences (cross-attention, mean pooling)', async () => {
    const fields = [VECTOR, SEQUENCE];
    const b = batch(fields, 6, [
      [1, 0, 1, 1],
      [1, 1, 0, 1],
    ]);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => (inputs) => {
        const [vector, sequence, mask, presenceA, presenceB] = inputs as tf.SymbolicTensor[];
        const output = createTransformerFusion({
          ...SMALL,
          crossAttention: true,
          positions: true,
          pooling: 'mean',
          dropout: 0,
        }).build({
          tf,
          name: 'fusion',
          seed: 11,
          inputs: [
            {
              name: 'a',
              modality: 'vector',
              encoded: { kind: 'vector', output: vector!, dim: 3 },
              presence: presenceA!,
            },
            {
              name: 'b',
              modality: 'text',
              encoded: { kind: 'sequence', output: sequence!, mask: mask!, length: LENGTH, dim: 2 },
              presence: presenceB!,
            },
          ],
        }).output;
        // The [CLS] and type vectors start near 0.02 in size, where a layer norm's curvature makes
        // central differences too coarse: check at a random point of unit-ish scale instead.
        const layers = tf.model({ inputs, outputs: output }).layers;
        for (const [i, layer] of layers.entries()) {
          layer.setWeights(
            layer.getWeights().map((w, j) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 100 * i + j)),
          );
        }
        return output;
      },
      inputs: [...b.values, ...b.masks, ...b.presences],
      constantInputs: [2, 3, 4],
      samples: 3,
    });
  });

  it('rejects an empty input list with an OmnifuseError', () => {
    expect(() => createTransformerFusion(SMALL).build({ tf, inputs: [], name: 'fusion', seed: 1 })).toThrow(
      /at least one input/,
    );
  });
});
