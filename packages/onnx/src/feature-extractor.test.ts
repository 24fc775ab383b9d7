import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { buildOnnxModel } from './build-onnx-model.js';
import { createOnnxFeatureExtractor, toChannelsFirst } from './feature-extractor.js';
import { loadOnnxModel } from './load-onnx-model.js';
import { buildTinyCnn, maxAbsDiff, seededFloats, type TinyCnn, tinyCnnReference } from './test-fixtures.js';

/** Reference features of `n` channels-last images. */
function reference(cnn: TinyCnn, nhwc: Float32Array, n: number, h: number, w: number): Float64Array {
  const nchw = toChannelsFirst(nhwc, n, h, w, cnn.channels);
  const size = cnn.channels * h * w;
  const out = new Float64Array(n * cnn.filters);
  for (let i = 0; i < n; i++) {
    out.set(tinyCnnReference(cnn, nchw.subarray(i * size, (i + 1) * size), h, w), i * cnn.filters);
  }
  return out;
}

async function rejection(run: () => Promise<unknown>): Promise<OmnifuseError> {
  try {
    await run();
  } catch (error) {
    expect(OmnifuseError.isInstance(error), `threw ${String(error)}`).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error('expected a rejection');
}

describe('createOnnxFeatureExtractor', () => {
  const n = 5;
  const images = seededFloats(n * 8 * 8 * 3, 77);

  it('transposes channels-last batches for an NCHW model and matches the reference', async () => {
    const cnn = buildTinyCnn({ channels: 3, filters: 4 });
    const extractor = await createOnnxFeatureExtractor({
      model: await loadOnnxModel(cnn.bytes),
      maxBatch: 2,
    });
    expect(extractor.layout).toBe('NCHW');
    expect(extractor.imageShape).toEqual([8, 8, 3]);
    expect(extractor.batchSize).toBeNull();
    expect(extractor.outputDim).toBe(4);
    const features = await extractor.extract(images, n, [8, 8, 3]);
    expect(features.length).toBe(n * 4);
    expect(maxAbsDiff(features, reference(cnn, images, n, 8, 8))).toBeLessThan(1e-5);
    expect(await extractor.extract(new Float32Array(0), 0, [8, 8, 3])).toEqual(new Float32Array(0));
    await extractor.model.release();
  });

  it('feeds an NHWC model as it is, detecting the layout from the input shape', async () => {
    const nchw = buildTinyCnn({ channels: 3, filters: 4 });
    const nhwc = buildTinyCnn({ channels: 3, filters: 4, layout: 'NHWC' });
    const extractor = await createOnnxFeatureExtractor({ model: await loadOnnxModel(nhwc.bytes) });
    expect(extractor.layout).toBe('NHWC');
    expect(extractor.imageShape).toEqual([8, 8, 3]);
    const features = await extractor.extract(images, n, [8, 8, 3]);
    expect(maxAbsDiff(features, reference(nchw, images, n, 8, 8))).toBeLessThan(1e-5);
  });

  it('runs a fixed batch size in runs of it, padding the last one', async () => {
    for (const batch of [1, 2]) {
      const cnn = buildTinyCnn({ channels: 3, filters: 4, batch });
      const extractor = await createOnnxFeatureExtractor({ model: await loadOnnxModel(cnn.bytes) });
      expect(extractor.batchSize).toBe(batch);
      const features = await extractor.extract(images, n, [8, 8, 3]);
      expect(maxAbsDiff(features, reference(cnn, images, n, 8, 8)), `batch ${batch}`).toBeLessThan(1e-5);
    }
  });

  it('measures an output whose size depends on a dynamic image size', async () => {
    // Conv → Flatten without pooling: features per image = filters × h × w.
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: ['n', 1, 'h', 'w'] }],
      outputs: [{ name: 'y', shape: ['n', null] }],
      initializers: [{ name: 'w', dims: [2, 1, 1, 1], data: new Float32Array([1, -1]) }],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attributes: { kernel_shape: [1, 1] } },
        { op: 'Flatten', inputs: ['c'], outputs: ['y'], attributes: { axis: 1 } },
      ],
    });
    const model = await loadOnnxModel(bytes);
    const error = await rejection(() => createOnnxFeatureExtractor({ model }));
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.message).toMatch(/depends on the image size/);
    const extractor = await createOnnxFeatureExtractor({ model, imageShape: [3, 4, 1] });
    expect(extractor.imageShape).toEqual([null, null, 1]);
    expect(extractor.outputDim).toBe(2 * 3 * 4);
    const image = seededFloats(12, 5);
    const features = await extractor.extract(image, 1, [3, 4, 1]);
    expect([...features]).toEqual([...image, ...image.map((v) => -v)]);
    const other = await rejection(() => extractor.extract(new Float32Array(20), 1, [4, 5, 1]));
    expect(other.message).toMatch(/values per image/);
  });

  it('refuses images and models that do not fit, naming expected and found', async () => {
    const cnn = buildTinyCnn({ channels: 3, filters: 4 });
    const model = await loadOnnxModel(cnn.bytes);
    const extractor = await createOnnxFeatureExtractor({ model });
    const wrongSize = await rejection(() => extractor.extract(new Float32Array(7 * 7 * 3), 1, [7, 7, 3]));
    expect(wrongSize.code).toBe(ErrorCode.InvalidInput);
    expect(wrongSize.expected).toBe('[height, width, channels] [8, 8, 3]');
    expect(wrongSize.found).toBe('[7, 7, 3]');
    const wrongLength = await rejection(() => extractor.extract(new Float32Array(100), 1, [8, 8, 3]));
    expect([wrongLength.expected, wrongLength.found]).toEqual([192, 100]);
    const grey = await rejection(() => extractor.extract(new Float32Array(64), 1, [8, 8, 1]));
    expect(grey.found).toBe('[8, 8, 1]');

    expect((await rejection(() => createOnnxFeatureExtractor({ model, input: 'pixels' }))).found).toBe(
      'pixels',
    );
    expect((await rejection(() => createOnnxFeatureExtractor({ model, output: 'logits' }))).found).toBe(
      'logits',
    );
    const flat = await loadOnnxModel(
      buildOnnxModel({
        inputs: [{ name: 'x', shape: ['n', 4] }],
        outputs: [{ name: 'y', shape: ['n', 4] }],
        nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
      }),
    );
    const notImages = await rejection(() => createOnnxFeatureExtractor({ model: flat }));
    expect(notImages.message).toMatch(/not an image batch/);
    expect(notImages.found).toBe('[n, 4]');
  });
});
