import { expectGradientsMatchFiniteDifferences } from '@omnifuse/core/testing';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLS_TOKEN_CLASS_NAME,
  FIRST_TOKEN_CLASS_NAME,
  KEY_MASK_CLASS_NAME,
  TYPE_EMBEDDING_CLASS_NAME,
  transformerFusionLayers,
} from './layers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function normals(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** Revives a layer from its JSON config through the registered class, as `loadLayersModel` does. */
function revive(layer: tf.layers.Layer): tf.layers.Layer {
  const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()]!;
  return fromConfig(cls, JSON.parse(JSON.stringify(layer.getConfig()))) as unknown as tf.layers.Layer;
}

describe('transformerFusionLayers', () => {
  it('defines and registers each class once per tfjs namespace', () => {
    const layers = transformerFusionLayers(tf);
    expect(transformerFusionLayers(tf)).toBe(layers);
    const registered = tf.serialization.SerializationMap.getMap().classNameMap;
    for (const name of [
      CLS_TOKEN_CLASS_NAME,
      TYPE_EMBEDDING_CLASS_NAME,
      KEY_MASK_CLASS_NAME,
      FIRST_TOKEN_CLASS_NAME,
    ]) {
      expect(registered[name], name).toBeDefined();
    }
    expect(layers.ClsToken.className).toBe(CLS_TOKEN_CLASS_NAME);
    expect(layers.TypeEmbedding.className).toBe(TYPE_EMBEDDING_CLASS_NAME);
    expect(layers.KeyMask.className).toBe(KEY_MASK_CLASS_NAME);
    expect(layers.FirstToken.className).toBe(FIRST_TOKEN_CLASS_NAME);
  });
});

describe('ClsToken', () => {
  it('puts one learned vector before every example’s tokens', () => {
    const { ClsToken } = transformerFusionLayers(tf);
    const layer = new ClsToken({ seed: 3, name: 'cls' });
    const tokens = normals([2, 3, 4], 1);
    const out = layer.apply(tokens) as tf.Tensor;
    expect(out.shape).toEqual([2, 4, 4]);
    const cls = layer.getWeights()[0]!.arraySync() as number[];
    const rows = out.arraySync() as number[][][];
    for (const row of rows) expect(row[0]).toEqual(cls);
    expect(rows.map((r) => r.slice(1))).toEqual(tokens.arraySync());
    expect(layer.computeOutputShape([null, 3, 4])).toEqual([null, 4, 4]);
  });

  it('round-trips its config', () => {
    const { ClsToken } = transformerFusionLayers(tf);
    const layer = new ClsToken({ seed: 3, stddev: 0.1, name: 'cls' });
    expect(revive(layer).getConfig()).toEqual(layer.getConfig());
    expect(layer.getConfig()).toMatchObject({ seed: 3, stddev: 0.1, name: 'cls' });
  });

  it('has gradients that match finite differences', async () => {
    const { ClsToken } = transformerFusionLayers(tf);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new ClsToken({ seed: 3, stddev: 1 }),
      inputs: [normals([2, 3, 4], 2)],
    });
  });
});

describe('TypeEmbedding', () => {
  it('adds one learned vector to every token and round-trips its config', () => {
    const { TypeEmbedding } = transformerFusionLayers(tf);
    const layer = new TypeEmbedding({ seed: 4, name: 'type' });
    const tokens = normals([2, 3, 4], 3);
    const out = layer.apply(tokens) as tf.Tensor;
    const expected = tf.add(tokens, layer.getWeights()[0]!);
    expect(tf.max(tf.abs(tf.sub(out, expected))).arraySync()).toBeLessThan(1e-6);
    expect(revive(layer).getConfig()).toEqual(layer.getConfig());
  });

  it('has gradients that match finite differences', async () => {
    const { TypeEmbedding } = transformerFusionLayers(tf);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new TypeEmbedding({ seed: 4, stddev: 1 }),
      inputs: [normals([2, 3, 4], 4)],
    });
  });
});

describe('KeyMask', () => {
  // A masked sequence of 3, a vector, an unmasked sequence of 2; [CLS] first.
  const args = { lengths: [3, 1, 2], masked: [true, false, false], cls: true, name: 'mask' };
  const inputs = () => [
    tf.tensor([[1], [0]]),
    tf.tensor([
      [1, 1, 0],
      [1, 0, 0],
    ]),
    tf.tensor([[0], [1]]),
    tf.tensor([[1], [1]]),
  ];

  it('is token mask × presence per modality, after a 1 for [CLS]', () => {
    const { KeyMask } = transformerFusionLayers(tf);
    const layer = new KeyMask(args);
    const out = layer.apply(inputs()) as tf.Tensor;
    expect(out.arraySync()).toEqual([
      [1, 1, 1, 0, 0, 1, 1],
      [1, 0, 0, 0, 1, 1, 1],
    ]);
    expect(layer.computeOutputShape([[null, 1]])).toEqual([null, 7]);
    expect(revive(layer).getConfig()).toEqual(layer.getConfig());
  });

  it('rejects mismatched lengths and masked', () => {
    const { KeyMask } = transformerFusionLayers(tf);
    expect(() => new KeyMask({ lengths: [1, 2], masked: [true], cls: false })).toThrow(/equal length/);
  });

  it('has gradients that match finite differences', async () => {
    const { KeyMask } = transformerFusionLayers(tf);
    await expectGradientsMatchFiniteDifferences({ tf, build: () => new KeyMask(args), inputs: inputs() });
  });
});

describe('FirstToken', () => {
  it('returns the first token and round-trips its config', () => {
    const { FirstToken } = transformerFusionLayers(tf);
    const layer = new FirstToken({ name: 'first' });
    const tokens = normals([2, 3, 4], 5);
    const out = layer.apply(tokens) as tf.Tensor;
    expect(out.arraySync()).toEqual((tokens.arraySync() as number[][][]).map((row) => row[0]));
    expect(layer.computeOutputShape([null, 3, 4])).toEqual([null, 4]);
    expect(revive(layer).getConfig()).toEqual(layer.getConfig());
  });

  it('has gradients that match finite differences', async () => {
    const { FirstToken } = transformerFusionLayers(tf);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new FirstToken(),
      inputs: [normals([2, 3, 4], 6)],
    });
  });
});
