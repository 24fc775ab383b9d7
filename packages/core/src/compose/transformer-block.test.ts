import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeDifference, saveToMemory } from '../testing/tf-helpers.js';
import { customLayers } from './layers.js';
import { applyFinalNorm, applyTransformerBlock } from './transformer-block.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TokenMask and MaskedMaxPooling', () => {
  it('marks non-zero ids as real tokens', async () => {
    const { TokenMask } = customLayers(tf);
    const mask = new TokenMask().apply(tf.tensor2d([[5, 2, 0, 0]], [1, 4], 'int32')) as tf.Tensor;
    expect(mask.dtype).toBe('float32');
    expect(await mask.array()).toEqual([[1, 1, 0, 0]]);
  });

  it('takes the max over real positions only, and zeros for an all-padding example', async () => {
    const { MaskedMaxPooling } = customLayers(tf);
    const sequence = tf.tensor3d([
      [
        [-1, 2],
        [-3, 1],
        [9, 9],
      ],
      [
        [4, 4],
        [5, 5],
        [6, 6],
      ],
    ]);
    const mask = tf.tensor2d([
      [1, 1, 0],
      [0, 0, 0],
    ]);
    const pooled = new MaskedMaxPooling().apply([sequence, mask]) as tf.Tensor;
    expect(Array.from(await pooled.data(), (v) => v + 0)).toEqual([-1, 2, 0, 0]); // + 0: -0 → 0
  });
});

describe('applyTransformerBlock', () => {
  function build(seed: number) {
    const { TokenMask } = customLayers(tf);
    const ids = tf.input({ shape: [5], dtype: 'int32' });
    const embedded = tf.layers
      .embedding({
        inputDim: 10,
        outputDim: 8,
        embeddingsInitializer: tf.initializers.randomNormal({ seed }),
        name: 'text/embedding',
      })
      .apply(ids) as tf.SymbolicTensor;
    const mask = new TokenMask({ name: 'text/mask' }).apply(ids) as tf.SymbolicTensor;
    let x = embedded;
    for (let i = 0; i < 2; i++)
      x = applyTransformerBlock(tf, x, mask, {
        numHeads: 2,
        ffDim: 16,
        dropout: 0.1,
        seed,
        name: `text/block_${i}`,
      });
    x = applyFinalNorm(tf, x, 'text/final_norm');
    return tf.model({ inputs: ids, outputs: x });
  }

  it('keeps the shape, names its layers under the prefix and is seeded', async () => {
    const model = build(1);
    expect(model.outputs[0]!.shape).toEqual([null, 5, 8]);
    expect(model.layers.slice(1).every((l) => l.name.startsWith('text/'))).toBe(true);
    const ids = tf.tensor2d([[1, 2, 3, 0, 0]], [1, 5], 'int32');
    const a = await (model.predict(ids) as tf.Tensor).data();
    const b = await (build(1).predict(ids) as tf.Tensor).data();
    expect(maxRelativeDifference(a, b)).toBe(0);
  });

  it('lets values at padding positions change nothing at real positions', async () => {
    const x = tf.input({ shape: [4, 6] });
    const mask = tf.input({ shape: [4] });
    const out = applyTransformerBlock(tf, x, mask, { numHeads: 3, ffDim: 8, seed: 3, name: 'fusion/block' });
    const model = tf.model({ inputs: [x, mask], outputs: out });
    const maskValues = tf.tensor2d([[1, 1, 0, 0]]);
    const values = tf.randomNormal([1, 4, 6], 0, 1, 'float32', 1);
    const noise = tf.concat([tf.zeros([1, 2, 6]), tf.randomNormal([1, 2, 6], 0, 50, 'float32', 2)], 1);
    const a = (await (model.predict([values, maskValues]) as tf.Tensor).array()) as number[][][];
    const b = (await (
      model.predict([tf.add(values, noise), maskValues]) as tf.Tensor
    ).array()) as number[][][];
    expect(maxRelativeDifference(a[0]!.slice(0, 2).flat(), b[0]!.slice(0, 2).flat())).toBeLessThan(1e-5);
  });

  it('reloads from JSON with identical outputs', async () => {
    const model = build(2);
    const artifacts = await saveToMemory(tf, model);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const ids = tf.tensor2d([[4, 7, 2, 9, 0]], [1, 5], 'int32');
    const before = await (model.predict(ids) as tf.Tensor).data();
    const after = await (reloaded.predict(ids) as tf.Tensor).data();
    expect(maxRelativeDifference(before, after)).toBeLessThan(1e-6);
  });
});
