import { createRng } from '@omnifuse/core';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTfWithWasm } from './kernel-test-kit.js';
import type { Tfjs } from './kernel-types.js';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './register-wasm-training-kernels.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfWithWasm({ checkLeaks: false });
});

describe('registerWasmTrainingKernels', () => {
  it('registers every listed kernel on wasm, and a second call registers nothing', () => {
    const onWasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    for (const name of WASM_TRAINING_KERNELS) expect(onWasm.has(name)).toBe(true);
    expect(registerWasmTrainingKernels(tf)).toEqual([]);
  });

  for (const name of ['MaxPoolGrad', 'Conv2DBackpropInput']) {
    it(`replaces wasm's ${name} with omnifuse's`, () => {
      const kernelFunc = tf.getKernel(name, 'wasm')?.kernelFunc as object;
      expect(Symbol.for('omnifuse.wasmTrainingKernel') in kernelFunc).toBe(true);
    });
  }

  it('refuses to run before the wasm backend is loaded', () => {
    const withoutWasm = { ...tf, findBackendFactory: () => null } as unknown as Tfjs;
    expect(() => registerWasmTrainingKernels(withoutWasm)).toThrow(/import @tensorflow\/tfjs-backend-wasm/);
  });
});

interface Fixture {
  build: () => LayersModel;
  x: () => Tensor;
  y: () => Tensor;
}

function cnn(): Fixture {
  const rng = createRng(1);
  const n = 8;
  const pixels = Float32Array.from({ length: n * 12 * 12 }, () => Math.max(0, rng.normal()));
  const labels = Int32Array.from({ length: n }, () => rng.int(3));
  return {
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [12, 12, 1],
            filters: 4,
            kernelSize: 3,
            padding: 'same',
            activation: 'relu',
          }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.separableConv2d({ filters: 6, kernelSize: 3, activation: 'relu' }),
          tf.layers.conv2d({ filters: 4, kernelSize: 2, strides: 2 }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    x: () => tf.tensor4d(pixels, [n, 12, 12, 1]),
    y: () => tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat(),
  };
}

function embedding(): Fixture {
  const rng = createRng(2);
  const n = 8;
  const tokens = Int32Array.from({ length: n * 10 }, () => rng.int(30));
  const labels = Int32Array.from({ length: n }, () => rng.int(2));
  return {
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 30, outputDim: 8, inputLength: 10 }),
          tf.layers.conv1d({ filters: 6, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling1d({ poolSize: 2 }),
          tf.layers.globalMaxPooling1d({}),
          tf.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
    x: () => tf.tensor2d(tokens, [n, 10], 'int32'),
    y: () => tf.oneHot(tf.tensor1d(labels, 'int32'), 2).toFloat(),
  };
}

/** Losses of a few Adam steps on one batch, from the given initial weights. */
async function trainSteps(
  backend: string,
  fixture: Fixture,
  weights: { shape: number[]; values: Float32Array }[],
) {
  await tf.setBackend(backend);
  const model = fixture.build();
  model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const [x, y] = [fixture.x(), fixture.y()];
  const losses: number[] = [];
  for (let step = 0; step < 6; step++) losses.push((await model.trainOnBatch(x, y)) as number);
  tf.dispose([x, y]);
  model.dispose();
  return losses;
}

describe('training on wasm with omnifuse kernels', () => {
  for (const [name, make] of [
    ['a CNN (conv2d, max pool, separable conv, strided conv)', cnn],
    ['an embedding model (embedding, conv1d, max pool 1d)', embedding],
  ] as const) {
    it(`trains ${name}: loss falls and matches cpu`, async () => {
      const fixture = make();
      await tf.setBackend('cpu');
      const initial = fixture.build();
      const weights = initial
        .getWeights()
        .map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array }));
      initial.dispose();

      const cpu = await trainSteps('cpu', fixture, weights);
      const wasm = await trainSteps('wasm', fixture, weights);
      expect(wasm[wasm.length - 1]).toBeLessThan(wasm[0]);
      for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i] - cpu[i]) / cpu[i]).toBeLessThan(1e-4);
    });
  }
});
