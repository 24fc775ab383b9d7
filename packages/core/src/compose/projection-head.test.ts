import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashSeed } from '../rng.js';
import { applyProjection, projectionOptionsSchema } from './projection-head.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const layerNames = (output: tf.SymbolicTensor, input: tf.SymbolicTensor) =>
  tf
    .model({ inputs: input, outputs: output })
    .layers.slice(1)
    .map((l) => l.name);

describe('projectionOptionsSchema', () => {
  it('fills in the encoder defaults and requires units only without a default', () => {
    expect(projectionOptionsSchema().parse({ units: 3 })).toEqual({
      units: 3,
      activation: 'relu',
      dropout: 0,
    });
    expect(projectionOptionsSchema().safeParse({}).success).toBe(false);
    expect(projectionOptionsSchema({ units: 64, dropout: 0.2 }).parse({})).toEqual({
      units: 64,
      activation: 'relu',
      dropout: 0.2,
    });
    expect(projectionOptionsSchema().safeParse({ units: 3, extra: 1 }).success).toBe(false);
  });
});

describe('applyProjection', () => {
  it('puts dropout before the dense layer by default, with seeds from the layer labels', () => {
    const input = tf.input({ shape: [4] });
    const output = applyProjection(
      tf,
      input,
      { units: 2, activation: 'tanh', dropout: 0.5 },
      { name: 'enc', seed: 7 },
    );
    expect(output.shape).toEqual([null, 2]);
    expect(layerNames(output, input)).toEqual(['enc/dropout', 'enc/projection']);
    const dense = tf.model({ inputs: input, outputs: output }).getLayer('enc/projection');
    const expected = tf.layers.dense({
      units: 2,
      inputShape: [4],
      kernelInitializer: tf.initializers.glorotUniform({ seed: hashSeed('7:projection') }),
    });
    expected.apply(tf.input({ shape: [4] }));
    expect(dense.getWeights()[0]!.arraySync()).toEqual(expected.getWeights()[0]!.arraySync());
  });

  it('takes custom labels and dropout after the dense layer', () => {
    const input = tf.input({ shape: [4] });
    const output = applyProjection(
      tf,
      input,
      { units: 3, activation: 'relu', dropout: 0.2 },
      {
        name: 'enc',
        seedFor: (label) => hashSeed(label),
        labels: { dense: 'd', dropout: 'p' },
        dropoutAt: 'output',
      },
    );
    expect(layerNames(output, input)).toEqual(['enc/d', 'enc/p']);
  });

  it('without a dense layer returns the input, or an identity layer when asked', () => {
    const input = tf.input({ shape: [4] });
    expect(applyProjection(tf, input, null, { name: 'enc', seed: 1 })).toBe(input);
    const identity = applyProjection(tf, input, null, { name: 'enc', seed: 1, identity: true });
    expect(layerNames(identity, input)).toEqual(['enc/identity']);
    const dropped = applyProjection(
      tf,
      input,
      { units: null, activation: 'relu', dropout: 0.1 },
      { name: 'enc', seed: 1, identity: true },
    );
    expect(layerNames(dropped, input)).toEqual(['enc/dropout', 'enc/identity']);
  });
});
