// One training step of every vision encoder on tfjs's wasm backend (with omnifuse's training
// kernels) against the same step on cpu: batch norm, pooling gradients and the custom layers.
import type { EncoderV1, Feature } from '@omnifuse/core';
import { selectBackend, type Tfjs } from '@omnifuse/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageRaw } from '../image-options.js';
import { createCnnEncoder } from './cnn.js';
import { createPatchEncoder } from './patch.js';
import { createResnetEncoder } from './resnet.js';
import type { ImageEncoderState } from './shared.js';
import { mnist } from './test-fixtures.js';

const MNIST = { size: { width: 28, height: 28 }, channels: 1 } as const;
const BATCH = 16;

const encoders: [string, EncoderV1<ImageRaw, ImageEncoderState>][] = [
  ['vision:cnn LeNet(1, 6, 3)', createCnnEncoder({ preset: 'lenet', preprocess: MNIST })],
  [
    'vision:cnn with avg pooling, global max head and dropout',
    createCnnEncoder({
      preprocess: MNIST,
      blocks: [
        { filters: 4, kernel: 3, pool: 'avg', dropout: 0.1 },
        { filters: 8, kernel: 3, stride: 2, pool: 'max' },
      ],
      head: 'globalMax',
      dense: [12],
    }),
  ],
  [
    'vision:resnet',
    createResnetEncoder({
      preprocess: MNIST,
      stem: { filters: 4 },
      stages: [
        { filters: 4, blocks: 1 },
        { filters: 8, blocks: 1 },
      ],
    }),
  ],
  ['vision:patch', createPatchEncoder({ preprocess: MNIST, patchSize: 7, dim: 16 })],
];

let tf: Tfjs;
let features: Feature[];
let labels: number[];

beforeAll(async () => {
  const selected = await selectBackend('wasm');
  tf = selected.tf;
  const digits = await mnist('t10k', BATCH, 100);
  labels = digits.labels;
  const encoder = encoders[0]![1];
  const state = await encoder.fit(digits.images, { field: 'image', readMedia: async () => new Uint8Array() });
  features = await Promise.all(
    digits.images.map((image, i) =>
      encoder.preprocess(image, state, {
        record: i,
        field: 'image',
        readMedia: async () => new Uint8Array(),
      }),
    ),
  );
});

/** Loss before and after one SGD step, from the same seeded initial weights. */
async function oneStep(encoder: EncoderV1<ImageRaw, ImageEncoderState>, backend: string) {
  expect(await tf.setBackend(backend)).toBe(true);
  const state = { featureSpec: { dtype: 'float32' as const, shape: [28, 28, 1] } };
  const input = tf.input({ shape: [28, 28, 1] });
  const encoded = encoder.build({ tf, input, state, name: 'image', seed: 11 });
  let x = encoded.output;
  if (encoded.kind === 'sequence')
    x = tf.layers.globalAveragePooling1d({ name: 'pool' }).apply(x) as typeof x;
  const head = tf.layers.dense({
    units: 10,
    activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed: 12 }),
    name: 'head',
  });
  const model = tf.model({ inputs: input, outputs: head.apply(x) as typeof x });
  const data = new Float32Array(BATCH * 28 * 28);
  for (const [i, f] of features.entries()) data.set(f.data, i * 28 * 28);
  const xs = tf.tensor4d(data, [BATCH, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const loss = () =>
    tf.tidy(() => {
      const predicted = model.apply(xs, { training: true }) as typeof ys;
      return tf.mean(tf.metrics.categoricalCrossentropy(ys, predicted)) as ReturnType<Tfjs['scalar']>;
    });
  const optimizer = tf.train.sgd(0.05);
  const before = optimizer.minimize(loss, true)!;
  const after = loss();
  const result = { before: (await before.data())[0]!, after: (await after.data())[0]! };
  tf.dispose([before, after, xs, ys]);
  optimizer.dispose();
  model.dispose();
  return result;
}

describe.each(encoders)('%s trains on wasm', (_name, encoder) => {
  it('one SGD step gives the cpu backend losses', async () => {
    const cpu = await oneStep(encoder, 'cpu');
    const wasm = await oneStep(encoder, 'wasm');
    expect(Number.isFinite(wasm.before) && Number.isFinite(wasm.after)).toBe(true);
    // float32 sums in another order: equal to ~1e-5 relative. A wrong gradient shows in the change.
    expect(wasm.before).toBeCloseTo(cpu.before, 3);
    expect(wasm.after).toBeCloseTo(cpu.after, 3);
    const change = { cpu: cpu.before - cpu.after, wasm: wasm.before - wasm.after };
    expect(Math.abs(change.cpu)).toBeGreaterThan(1e-3);
    expect(Math.abs(change.wasm - change.cpu)).toBeLessThan(0.02 * Math.abs(change.cpu));
  });
});
