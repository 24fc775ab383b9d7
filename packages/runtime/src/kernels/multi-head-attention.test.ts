import { createRng, customLayers } from '@omnifuse/core';
import { gradientReport, maxRelativeDifference, saveToMemory } from '@omnifuse/core/testing';
import type { LayersModel, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTfWithWasm } from './kernel-test-kit.js';
import type { Tfjs } from './kernel-types.js';

// Everything on wasm: the gradient test is the one that matters there (batched matMul, softmax and
// transpose gradients), and the rest checks the layer on the backend training runs on.
let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfWithWasm({ checkLeaks: false });
});

function random(shape: number[], seed: number): Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rng.normal()),
    shape,
  );
}

/**
 * Attention written out head by head with plain tf ops (einsum, on cpu: wasm has no Einsum kernel),
 * from the layer's own weights.
 */
async function referenceAttention(
  weights: Tensor[],
  query: Tensor3D,
  value: Tensor3D,
  mask: Tensor2D | null,
  numHeads: number,
  keyDim: number,
): Promise<Float32Array> {
  await tf.setBackend('cpu');
  try {
    return (await headByHead(weights, query, value, mask, numHeads, keyDim).data()) as Float32Array;
  } finally {
    await tf.setBackend('wasm');
  }
}

function headByHead(
  weights: Tensor[],
  query: Tensor3D,
  value: Tensor3D,
  mask: Tensor2D | null,
  numHeads: number,
  keyDim: number,
): Tensor {
  return tf.tidy(() => {
    const [wq, bq, wk, bk, wv, bv, wo, bo] = weights as Tensor2D[];
    const heads: Tensor[] = [];
    for (let h = 0; h < numHeads; h++) {
      const cols = (w: Tensor2D) => tf.slice(w, [0, h * keyDim], [-1, keyDim]);
      const part = (b: Tensor) => tf.slice(b, [h * keyDim], [keyDim]);
      const q = tf.add(tf.einsum('bld,dk->blk', query, cols(wq!)), part(bq!));
      const k = tf.add(tf.einsum('bld,dk->blk', value, cols(wk!)), part(bk!));
      const v = tf.add(tf.einsum('bld,dk->blk', value, cols(wv!)), part(bv!));
      let scores = tf.div(tf.einsum('bqk,blk->bql', q, k), Math.sqrt(keyDim));
      if (mask) scores = tf.add(scores, tf.mul(tf.sub(1, tf.expandDims(mask, 1)), -1e9));
      heads.push(tf.einsum('bql,blk->bqk', tf.softmax(scores), v));
    }
    return tf.add(tf.einsum('bqk,kd->bqd', tf.concat(heads, -1), wo!), bo!);
  });
}

function attentionLayer(numHeads = 2, keyDim = 3, seed = 5) {
  const { MultiHeadAttention } = customLayers(tf);
  return new MultiHeadAttention({ numHeads, keyDim, seed, name: 'attention' });
}

/** Sets every weight to seeded random values, so the biases are not all zeros. */
function randomiseWeights(layer: { getWeights(): Tensor[]; setWeights(w: Tensor[]): void }, seed: number) {
  layer.setWeights(layer.getWeights().map((w, i) => random(w.shape, seed + i)));
}

describe('MultiHeadAttention', () => {
  it('matches attention computed head by head, for cross-attention of different lengths and sizes', async () => {
    const layer = attentionLayer(2, 3);
    const query = random([2, 4, 6], 1) as Tensor3D;
    const value = random([2, 5, 4], 2) as Tensor3D;
    const mask = tf.tensor2d([
      [1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1],
    ]);
    layer.apply([query, value, mask]);
    randomiseWeights(layer, 10);
    expect(layer.getWeights().map((w) => w.shape)).toEqual([
      [6, 6],
      [6],
      [4, 6],
      [6],
      [4, 6],
      [6],
      [6, 6],
      [6],
    ]);
    const out = layer.apply([query, value, mask]) as Tensor;
    expect(out.shape).toEqual([2, 4, 6]);
    const expected = await referenceAttention(layer.getWeights(), query, value, mask, 2, 3);
    expect(maxRelativeDifference(await out.data(), expected)).toBeLessThan(1e-5);

    const unmasked = layer.apply([query, value]) as Tensor;
    const expectedUnmasked = await referenceAttention(layer.getWeights(), query, value, null, 2, 3);
    expect(maxRelativeDifference(await unmasked.data(), expectedUnmasked)).toBeLessThan(1e-5);
  });

  it('ignores masked-out keys: changing their values changes nothing', async () => {
    const layer = attentionLayer();
    const query = random([2, 3, 4], 3);
    const value = random([2, 5, 4], 4);
    const mask = tf.tensor2d([
      [1, 1, 0, 1, 0],
      [1, 0, 0, 0, 0],
    ]);
    const before = await (layer.apply([query, value, mask]) as Tensor).data();
    // Overwrite the masked positions with large noise.
    const noisy = tf.add(
      value,
      tf.mul(tf.expandDims(tf.sub(1, mask), -1), tf.mul(random([2, 5, 4], 5), 100)),
    );
    const after = await (layer.apply([query, noisy, mask]) as Tensor).data();
    expect(maxRelativeDifference(before, after)).toBeLessThan(1e-6);
    const unmasked = await (layer.apply([query, noisy]) as Tensor).data();
    expect(maxRelativeDifference(before, unmasked)).toBeGreaterThan(1e-3);
  });

  it('gives zeros, not NaN, for an example whose keys are all masked', async () => {
    const layer = attentionLayer();
    const query = random([2, 3, 4], 6);
    layer.apply([query, query, tf.ones([2, 3])]);
    randomiseWeights(layer, 20); // non-zero output bias
    const out = layer.apply([
      query,
      query,
      tf.tensor2d([
        [1, 1, 0],
        [0, 0, 0],
      ]),
    ]) as Tensor;
    const rows = (await out.array()) as number[][][];
    expect(rows[1]!.flat().every((v) => v === 0)).toBe(true);
    expect(rows[0]!.flat().every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
  });

  it('rejects bad arguments and inputs', () => {
    const { MultiHeadAttention } = customLayers(tf);
    expect(() => new MultiHeadAttention({ numHeads: 0, keyDim: 2, seed: 1 })).toThrow(/numHeads/);
    expect(() => attentionLayer().apply([random([2, 4], 1), random([2, 4], 2)])).toThrow(
      /\[batch, length, dim\]/,
    );
  });

  describe('in a model', () => {
    const length = 6;
    function buildModel(seed: number): LayersModel {
      const { MultiHeadAttention, TokenMask, MaskedMeanPooling } = customLayers(tf);
      const ids = tf.input({ shape: [length], dtype: 'int32', name: 'ids' });
      const embedded = tf.layers
        .embedding({
          inputDim: 12,
          outputDim: 8,
          embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed }),
          name: 'embedding',
        })
        .apply(ids) as import('@tensorflow/tfjs').SymbolicTensor;
      const mask = new TokenMask({ name: 'mask' }).apply(ids) as import('@tensorflow/tfjs').SymbolicTensor;
      const attended = new MultiHeadAttention({
        numHeads: 2,
        keyDim: 4,
        seed,
        dropout: 0.1,
        name: 'attention',
      }).apply([embedded, embedded, mask]) as import('@tensorflow/tfjs').SymbolicTensor;
      const pooled = new MaskedMeanPooling({ name: 'pool' }).apply([attended, mask]);
      const output = tf.layers
        .dense({
          units: 2,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed }),
          name: 'head',
        })
        .apply(pooled) as import('@tensorflow/tfjs').SymbolicTensor;
      return tf.model({ inputs: ids, outputs: output });
    }

    // Class 1 iff token 3 appears among the real tokens; 0 pads the end.
    function batch(n: number, seed: number) {
      const rng = createRng(seed);
      const ids: number[][] = [];
      const labels: number[][] = [];
      for (let i = 0; i < n; i++) {
        const real = 2 + Math.floor(rng.next() * (length - 1));
        const row = Array.from({ length }, (_, j) => (j < real ? 4 + (Math.floor(rng.next() * 8) % 8) : 0));
        const positive = i % 2 === 0;
        if (positive) row[Math.floor(rng.next() * real)] = 3;
        ids.push(row.map((v) => Math.min(v, 11)));
        labels.push(positive ? [0, 1] : [1, 0]);
      }
      return { x: tf.tensor2d(ids, [n, length], 'int32'), y: tf.tensor2d(labels) };
    }

    it('trains on wasm: gradients reach every projection and the loss falls', async () => {
      const model = buildModel(3);
      const report = gradientReport(tf, model, batch(8, 3).x, 1);
      expect(report.unconnected).toEqual([]);
      expect(report.nonFinite).toEqual([]);
      expect(report.nonZero).toEqual(
        expect.arrayContaining(report.trainable.filter((w) => w.startsWith('attention/'))),
      );
      expect(report.trainable.filter((w) => w.startsWith('attention/'))).toHaveLength(8);
      model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
      const { x, y } = batch(64, 1);
      const history = await model.fit(x, y, { epochs: 15, batchSize: 16, shuffle: false, verbose: 0 });
      const losses = history.history.loss as number[];
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
      model.dispose();
    });

    it('saves and reloads through tf.io in memory with the same predictions', async () => {
      const model = buildModel(4);
      const { x } = batch(8, 2);
      const before = await (model.predict(x) as Tensor).data();
      const artifacts = await saveToMemory(tf, model);
      const topology = JSON.stringify(artifacts.modelTopology);
      expect(topology).toContain('OmnifuseMultiHeadAttention');
      expect(topology).toContain('OmnifuseTokenMask');
      expect(topology).toContain('"num_heads":2');
      const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      const after = await (reloaded.predict(x) as Tensor).data();
      expect(maxRelativeDifference(before, after)).toBeLessThan(1e-6);
      model.dispose();
      reloaded.dispose();
    });
  });
});
