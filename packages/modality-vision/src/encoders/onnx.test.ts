import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createDataset,
  createFeatureCache,
  type EncoderPreprocessContext,
  ErrorCode,
  encoderFingerprint,
  hashValue,
  type MediaRef,
  OmnifuseError,
  preprocessField,
} from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import { buildOnnxModel } from '@omnifuse/onnx/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, type ImageRaw } from '../image-options.js';
import { createImagePreprocessor } from '../preprocess/index.js';
import { createOnnxEncoder, onnxEncoderPlugin } from './onnx.js';
import { gradientPng, mnist, randomBytes } from './test-fixtures.js';

/** Conv 3×3 (pad 1) → Relu → GlobalAveragePool → Flatten, built in code: nothing is downloaded. */
interface TinyCnn {
  readonly bytes: Uint8Array;
  readonly channels: number;
  readonly filters: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

function tinyCnn(options: {
  channels: number;
  size: number;
  seed: number;
  layout?: 'NCHW' | 'NHWC';
}): TinyCnn {
  const { channels, size, seed } = options;
  const filters = 6;
  const weight = seededFloats(filters * channels * 9, seed);
  const bias = seededFloats(filters, seed + 1).map((v) => v / 5);
  const nhwc = options.layout === 'NHWC';
  const bytes = buildOnnxModel({
    inputs: [
      { name: 'pixels', shape: nhwc ? ['batch', size, size, channels] : ['batch', channels, size, size] },
    ],
    outputs: [{ name: 'embedding', shape: ['batch', filters] }],
    initializers: [
      { name: 'conv.weight', dims: [filters, channels, 3, 3], data: weight },
      { name: 'conv.bias', dims: [filters], data: bias },
    ],
    nodes: [
      ...(nhwc
        ? [{ op: 'Transpose', inputs: ['pixels'], outputs: ['nchw'], attributes: { perm: [0, 3, 1, 2] } }]
        : []),
      {
        op: 'Conv',
        inputs: [nhwc ? 'nchw' : 'pixels', 'conv.weight', 'conv.bias'],
        outputs: ['conv'],
        attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: 'Relu', inputs: ['conv'], outputs: ['relu'] },
      { op: 'GlobalAveragePool', inputs: ['relu'], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['embedding'], attributes: { axis: 1 } },
    ],
  });
  return { bytes, channels, filters, weight, bias };
}

/** The same network in plain JS, on one channels-last image. */
function tinyCnnReference(cnn: TinyCnn, hwc: ArrayLike<number>, h: number, w: number): number[] {
  const c = cnn.channels;
  return Array.from({ length: cnn.filters }, (_, f) => {
    let total = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = cnn.bias[f]!;
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            const iy = y + ky - 1;
            const ix = x + kx - 1;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let k = 0; k < c; k++) {
              sum += hwc[(iy * w + ix) * c + k]! * cnn.weight[((f * c + k) * 3 + ky) * 3 + kx]!;
            }
          }
        }
        total += Math.max(0, sum);
      }
    }
    return total / (h * w);
  });
}

function seededFloats(count: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (state * 48271) % 2147483647;
    return (state / 2147483647) * 2 - 1;
  });
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce(
    (max, v, i) => Math.max(max, Math.abs(v - b[i]!)),
    a.length === b.length ? 0 : Infinity,
  );

const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-vision-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const writeModel = (name: string, bytes: Uint8Array) => {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
};

const greyCnn = tinyCnn({ channels: 1, size: 28, seed: 11 });
const greyModel = writeModel('grey-cnn.onnx', greyCnn.bytes);
const digits = await mnist('t10k', 4);
const inline = async (width: number, height: number, channels: 3 | 4 = 3): Promise<MediaRef> => ({
  kind: 'inline',
  bytes: await gradientPng(width, height, channels),
});
const samples: ImageRaw[] = [...digits.images, await inline(40, 30), await inline(20, 36, 4)];
const badInputs = [
  {
    value: { width: 28, height: 28, channels: 1, data: new Uint8Array(100) },
    reason: 'pixel data of the wrong length',
  },
  { value: { kind: 'inline', bytes: randomBytes(256) }, reason: 'bytes that are no image' },
];
const readMedia = async (ref: MediaRef) => (ref.kind === 'inline' ? ref.bytes : new Uint8Array());
const context = (record: string | number): EncoderPreprocessContext => ({
  record,
  field: 'image',
  readMedia,
});

describeEncoderConformance('frozen ONNX CNN with a dense projection', {
  plugin: onnxEncoderPlugin,
  options: { model: greyModel, projection: 8, dropout: 0.1 },
  samples,
  badInputs,
  invalidOptions: [
    {},
    { model: '' },
    { model: path.join(dir, 'missing.onnx') },
    { model: dir },
    { model: greyModel, projection: 0 },
    { model: greyModel, layout: 'CHW' },
    { model: greyModel, dropout: 1 },
    { model: greyModel, augment: { horizontalFlip: 0.5 } },
    { model: greyModel, preprocess: { channels: 2 } },
    { model: greyModel, preprocess: { bogus: true } },
    { model: greyModel, preprocess: { size: { width: 20, height: 20 }, crop: { width: 28, height: 28 } } },
    { model: greyModel, unknown: 1 },
  ],
});

describeEncoderConformance('frozen ONNX CNN passed through', {
  plugin: onnxEncoderPlugin,
  options: { model: greyModel },
  samples,
  badInputs,
});

describe('vision:onnx', () => {
  it('takes size and channels from the model and ImageNet normalisation by default', async () => {
    const encoder = createOnnxEncoder({ model: greyModel });
    const state = await encoder.fit(samples, { field: 'image', readMedia });
    expect(state.preprocess).toMatchObject({
      size: { width: 28, height: 28 },
      channels: 1,
      normalize: 'imagenet',
    });
    expect(state).toMatchObject({ input: 'pixels', output: 'embedding', layout: 'NCHW', outputDim: 6 });
    expect(state.model.byteLength).toBe(greyCnn.bytes.length);
    expect(state.runtime).toMatch(/^onnxruntime-node \d/);
    expect(encoder.featureSpec(state)).toEqual({ dtype: 'float32', shape: [6] });
  });

  it('gives the features of a JS reference of the same network, for MNIST digits and a PNG', async () => {
    const encoder = createOnnxEncoder({ model: greyModel });
    const state = await encoder.fit(samples, { field: 'image', readMedia });
    // ImageNet statistics for one grey channel: the means of the RGB ones.
    const mean = IMAGENET_MEAN.reduce((a: number, b) => a + b, 0) / 3;
    const std = IMAGENET_STD.reduce((a: number, b) => a + b, 0) / 3;
    for (const [i, digit] of digits.images.entries()) {
      const feature = await encoder.preprocess(digit, state, context(i));
      expect(feature.shape).toEqual([6]);
      const pixels = Array.from(digit.data, (v) => (v / 255 - mean) / std);
      expect(maxAbsDiff(feature.data, tinyCnnReference(greyCnn, pixels, 28, 28)), `digit ${i}`).toBeLessThan(
        1e-4,
      );
    }
    const png = samples[4]!;
    const image = await createImagePreprocessor(state.preprocess).preprocess(png, context('png'));
    const feature = await encoder.preprocess(png, state, context('png'));
    expect(maxAbsDiff(feature.data, tinyCnnReference(greyCnn, image.data, 28, 28))).toBeLessThan(1e-4);
  });

  it('feeds an RGB channels-last model, reading the layout and size from it', async () => {
    const rgb = tinyCnn({ channels: 3, size: 16, seed: 5, layout: 'NHWC' });
    const encoder = createOnnxEncoder({
      model: writeModel('rgb-nhwc.onnx', rgb.bytes),
      preprocess: { normalize: 'unit' },
    });
    const state = await encoder.fit([], { field: 'image', readMedia });
    expect(state).toMatchObject({
      layout: 'NHWC',
      preprocess: { size: { width: 16, height: 16 }, channels: 3 },
    });
    const png = await inline(50, 40);
    const image = await createImagePreprocessor(state.preprocess).preprocess(png, context(0));
    const feature = await encoder.preprocess(png, state, context(0));
    expect(maxAbsDiff(feature.data, tinyCnnReference(rgb, image.data, 16, 16))).toBeLessThan(1e-4);
  });

  it('serves concurrent records from one session (pinOnnxModel), and a restored instance alike', async () => {
    // Opening once per instance and lazily is pinOnnxModel's contract, tested in @omnifuse/onnx.
    const encoder = createOnnxEncoder({ model: greyModel });
    const state = await encoder.fit(samples, { field: 'image', readMedia });
    const first = await Promise.all(samples.map((raw, i) => encoder.preprocess(raw, state, context(i))));
    const again = await Promise.all(samples.map((raw, i) => encoder.preprocess(raw, state, context(i))));
    expect(again).toEqual(first);
    const restored = createOnnxEncoder({ model: greyModel });
    const fromBundle = await Promise.all(
      samples.map((raw, i) => restored.preprocess(raw, state, context(i))),
    );
    expect(fromBundle).toEqual(first);
  });

  it('caches features under a key that changes with the model file', async () => {
    const file = writeModel('swapped.onnx', greyCnn.bytes);
    const root = mkdtempSync(path.join(dir, 'data-'));
    const names = ['a.png', 'b.png', 'c.png'];
    for (const [i, name] of names.entries())
      writeFileSync(path.join(root, name), await gradientPng(30 + i, 28));
    const dataset = createDataset(
      names.map((image, i) => ({ id: `r${i}`, image })),
      { root, fieldTypes: { image: 'image' } },
    );
    const cache = createFeatureCache({ dir: path.join(dir, 'cache') });

    const encoder = createOnnxEncoder({ model: file });
    const state = await encoder.fit([], { field: 'image', readMedia });
    const first = await preprocessField(dataset, 'image', encoder, state, { cache });
    expect(first.stats).toMatchObject({ computed: 3, hits: 0 });
    const again = await preprocessField(dataset, 'image', encoder, state, { cache });
    expect(again.stats).toMatchObject({ computed: 0, hits: 3 });
    expect(again.data).toEqual(first.data);

    // New weights under the same path: a new fitted state, hence a new fingerprint and new entries.
    writeFileSync(file, tinyCnn({ channels: 1, size: 28, seed: 99 }).bytes);
    const refitted = createOnnxEncoder({ model: file });
    const newState = await refitted.fit([], { field: 'image', readMedia });
    expect(newState.model.sha256).not.toBe(state.model.sha256);
    expect(hashValue(newState)).not.toBe(hashValue(state));
    expect(encoderFingerprint(refitted, newState)).not.toBe(encoderFingerprint(encoder, state));
    const swapped = await preprocessField(dataset, 'image', refitted, newState, { cache });
    expect(swapped.stats).toMatchObject({ computed: 3, hits: 0 });
    expect(swapped.data).not.toEqual(first.data);

    // The first encoder still holds the weights it fitted, so its features still match its state.
    const stale = await encoder.preprocess(samples[0]!, state, context('held'));
    const fresh = await createOnnxEncoder({ model: greyModel }).preprocess(
      samples[0]!,
      state,
      context('held'),
    );
    expect(stale.data).toEqual(fresh.data);
    // A new encoder with the old state (a saved bundle) finds other weights in the file: refusing
    // beats caching the new model's features under the old model's key.
    const restored = createOnnxEncoder({ model: file });
    const error = await rejection(() => restored.preprocess(samples[0]!, state, context('old')));
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.file).toBe(file);
    expect(error.expected).toBe(`sha256 ${state.model.sha256}`);
    expect(error.record).toBe('old');
  });

  it('refuses a missing model file at create and a corrupt one at fit, naming the file', async () => {
    const missing = path.join(dir, 'models', 'nope.onnx');
    const notFound = catchSync(() => createOnnxEncoder({ model: missing }));
    expect(notFound.code).toBe(ErrorCode.InvalidOptions);
    expect(notFound.file).toBe(missing);
    expect(notFound.path).toBe('model');
    expect(notFound.message).toContain(missing);

    const relative = path.relative(process.cwd(), greyModel);
    expect(createOnnxEncoder({ model: relative }).options.model).toBe(relative);

    for (const [name, bytes] of [
      ['truncated.onnx', greyCnn.bytes.subarray(0, greyCnn.bytes.length - 10)],
      ['random.onnx', randomBytes(500)],
      ['empty.onnx', new Uint8Array(0)],
    ] as const) {
      const file = writeModel(name, bytes);
      const encoder = createOnnxEncoder({ model: file });
      const error = await rejection(() => encoder.fit([], { field: 'image', readMedia }));
      expect(error.code, name).toBe(ErrorCode.InvalidOptions);
      expect(error.file, name).toBe(file);
      expect(error.plugin, name).toBe('vision:onnx');
      expect(error.step, name).toBe('fit');
      expect(error.message, name).toMatch(/not a readable ONNX model/);
    }
  });

  it('refuses preprocessing and names the model cannot take', async () => {
    const cases: [object, string][] = [
      [{ preprocess: { size: { width: 32, height: 32 } } }, 'preprocess.size'],
      [{ preprocess: { channels: 3 } }, 'preprocess.channels'],
      [{ input: 'image' }, 'input'],
      [{ output: 'logits' }, 'output'],
    ];
    for (const [options, what] of cases) {
      const encoder = createOnnxEncoder({ model: greyModel, ...options });
      const error = await rejection(() => encoder.fit([], { field: 'image', readMedia }));
      expect(error.code, what).toBe(ErrorCode.InvalidOptions);
      expect(error.plugin, what).toBe('vision:onnx');
      expect(error.file, what).toBe(greyModel);
    }
  });
});

function catchSync(run: () => unknown): OmnifuseError {
  try {
    run();
  } catch (error) {
    expect(OmnifuseError.isInstance(error), `threw ${String(error)}`).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error('expected an error');
}

async function rejection(run: () => unknown): Promise<OmnifuseError> {
  try {
    await run();
  } catch (error) {
    expect(OmnifuseError.isInstance(error), `threw ${String(error)}`).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error('expected a rejection');
}
