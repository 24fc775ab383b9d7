import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { customLayers } from '../compose/layers.js';
import { createRng } from '../rng.js';
import { expectGradientsMatchFiniteDifferences } from './gradient-check.js';
import { loadTf, type Tf } from './tf-helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await loadTf({});
});

function normal(shape: number[], seed: number): tfjs.Tensor {
  const rng = createRng(seed);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );
}

/** Rows of `[b, L]` with 1..L real positions. */
function mask(b: number, length: number): tfjs.Tensor {
  return tf.tensor(
    Float32Array.from({ length: b * length }, (_, j) =>
      j % length <= Math.floor(j / length) % length ? 1 : 0,
    ),
    [b, length],
  );
}

describe('expectGradientsMatchFiniteDifferences', () => {
  it('passes a dense layer and fails a layer whose gradient is wrong, naming the coordinate', async () => {
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => tf.layers.dense({ units: 3, activation: 'tanh', kernelInitializer: 'glorotNormal' }),
      inputs: [normal([4, 5], 1)],
    });
    // Forward x², backward claims 3x: caught on the input.
    const wrong = tf.customGrad((...args: (tfjs.Tensor | tfjs.GradSaveFunc)[]) => {
      const x = args[0] as tfjs.Tensor;
      return { value: tf.square(x), gradFunc: (dy: tfjs.Tensor) => tf.mul(dy, tf.mul(x, 3)) };
    }) as (x: tfjs.Tensor) => tfjs.Tensor;
    class WrongSquare extends tf.layers.Layer {
      static className = 'GradientCheckWrongSquare';
      override call(inputs: tfjs.Tensor | tfjs.Tensor[]): tfjs.Tensor {
        return wrong(Array.isArray(inputs) ? inputs[0]! : inputs);
      }
    }
    await expect(
      expectGradientsMatchFiniteDifferences({
        tf,
        build: () => new WrongSquare({}),
        inputs: [normal([2, 3], 2)],
      }),
    ).rejects.toThrow(/input 0 at \[\d, \d\]: analytic/);
  });

  it('checks MissingEmbedding (inputs and the embedding)', async () => {
    const { MissingEmbedding } = customLayers(tf);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new MissingEmbedding({ seed: 4 }),
      inputs: [normal([4, 3], 3), tf.tensor([[1], [0], [1], [0]])],
    });
  });

  it('checks ModalityDropout (inference) and PresenceColumn', async () => {
    const { ModalityDropout, PresenceColumn } = customLayers(tf);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new ModalityDropout({ rate: 0.5, seed: 1 }),
      inputs: [normal([3, 1], 4), normal([3, 1], 5)],
    });
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new PresenceColumn({ index: 1 }),
      inputs: [normal([3, 4], 6)],
    });
  });

  it('checks MaskedMeanPooling and MaskedMaxPooling (mask held constant)', async () => {
    const { MaskedMeanPooling, MaskedMaxPooling } = customLayers(tf);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new MaskedMeanPooling(),
      inputs: [normal([4, 4, 3], 7), mask(4, 4)],
      constantInputs: [1],
    });
    // Values spaced 0.1 apart per feature, shuffled, so no max is within ε of a tie.
    const rng = createRng(8);
    const spaced = Float32Array.from({ length: 4 * 4 * 3 }, (_, j) => 0.1 * j + 0.01 * rng.next());
    const order = [...spaced].sort(() => rng.next() - 0.5);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new MaskedMaxPooling(),
      inputs: [tf.tensor(order, [4, 4, 3]), mask(4, 4)],
      constantInputs: [1],
    });
  });

  it('checks MultiHeadAttention with a key mask, PositionEmbedding and SeededDropout (inference)', async () => {
    const { MultiHeadAttention, PositionEmbedding, SeededDropout } = customLayers(tf);
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => new MultiHeadAttention({ numHeads: 2, keyDim: 3, seed: 5 }),
      inputs: [normal([2, 3, 4], 9), normal([2, 4, 5], 10), mask(2, 4)],
      constantInputs: [2],
    });
    await expectGradientsMatchFiniteDifferences({
      tf,
      build: () => (xs) =>
        new SeededDropout({ rate: 0.5, seed: 1 }).apply(
          new PositionEmbedding({ seed: 2, stddev: 0.5 }).apply(xs[0]!),
        ) as tfjs.SymbolicTensor,
      inputs: [normal([2, 3, 4], 11)],
    });
  });
});
