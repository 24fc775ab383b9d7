import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { formatShape, type OnnxModel, type OnnxTensorOutput } from './load-onnx-model.js';

/** Memory layout the model's image input wants; `auto` reads it from the declared input shape. */
export type OnnxImageLayout = 'NCHW' | 'NHWC';

export interface OnnxFeatureExtractorOptions {
  readonly model: OnnxModel;
  /** Image input name; default the model's first input. */
  readonly input?: string;
  /** Output to use as the feature (e.g. a pooled embedding); default the model's first output. */
  readonly output?: string;
  /**
   * `auto` (default): NHWC when the input's last dimension is 1 or 3 and its second is not,
   * else NCHW (what PyTorch exports).
   */
  readonly layout?: OnnxImageLayout | 'auto';
  /**
   * `[height, width, channels]` of the images to come, for models whose output size depends on a
   * dynamic input size; the extractor runs one blank image to measure it.
   */
  readonly imageShape?: readonly [number, number, number];
  /** Largest batch one run gets when the model's batch dimension is dynamic; default 32. */
  readonly maxBatch?: number;
}

export interface OnnxFeatureExtractor extends OnnxImageInput {
  readonly model: OnnxModel;
  readonly output: string;
  /** Values per example in the chosen output, flattened. */
  readonly outputDim: number;
  /**
   * Runs `n` channels-last images (`batch` holds `n × h × w × c` floats, as omnifuse's image
   * preprocessing makes them), transposed to NCHW when the model wants it, in runs of the model's
   * batch size; returns `n × outputDim` floats, example after example.
   */
  extract(batch: Float32Array, n: number, shape: readonly [number, number, number]): Promise<Float32Array>;
}

const DEFAULT_MAX_BATCH = 32;

/**
 * Wraps a loaded image model as a feature extractor: channels-last image batches in, one flat
 * vector per image out. Checks up front that the input is a float32 rank-4 image batch and that the
 * output has a known size per example, so misconfiguration fails here rather than on the first image.
 */
export async function createOnnxFeatureExtractor(
  options: OnnxFeatureExtractorOptions,
): Promise<OnnxFeatureExtractor> {
  const { model } = options;
  const fail = failFor(model);
  const { input: inputName, layout, imageShape, batchSize } = describeImageInput(model, options);
  const outputName = options.output ?? model.outputNames[0]!;
  if (!model.outputNames.includes(outputName)) {
    throw fail(`the model has no output "${outputName}"`, model.outputNames, outputName);
  }
  const maxBatch = batchSize ?? options.maxBatch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'maxBatch must be an integer ≥ 1',
      path: 'maxBatch',
      expected: 'an integer ≥ 1',
      found: maxBatch,
    });
  }

  const run = async (images: Float32Array, n: number, hwc: readonly [number, number, number]) => {
    const [h, w, c] = hwc;
    const data = layout === 'NCHW' ? toChannelsFirst(images, n, h, w, c) : images;
    const dims = layout === 'NCHW' ? [n, c, h, w] : [n, h, w, c];
    const outputs = await model.run({ [inputName]: { data, dims } }, { outputs: [outputName] });
    return flatten(outputs[outputName]!, n);
  };

  const flatten = (tensor: OnnxTensorOutput, n: number): Float32Array => {
    const values = tensor.data;
    if (!ArrayBuffer.isView(values) || values instanceof BigInt64Array || values instanceof BigUint64Array) {
      throw fail(`output "${outputName}" is not a numeric tensor`, 'float32', tensor.dtype);
    }
    const batchLed = tensor.dims[0] === n || n === 1;
    if (!batchLed || values.length % n !== 0) {
      throw fail(
        `output "${outputName}" does not lead with the batch dimension`,
        `[${n}, ...]`,
        formatShape(tensor.dims),
      );
    }
    return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  };

  const declaredOutput = model.outputs.find((o) => o.name === outputName)?.shape;
  let outputDim = perExample(declaredOutput);
  if (outputDim === null) {
    // The size depends on the input's: measure it on one blank image.
    const probe = options.imageShape ?? imageShape;
    if (probe.some((d) => d === null)) {
      throw fail(
        `the size of output "${outputName}" depends on the image size, which the model leaves dynamic`,
        'imageShape: [height, width, channels] in the extractor options',
        declaredOutput ? formatShape(declaredOutput) : 'an undeclared shape',
      );
    }
    const [h, w, c] = probe as [number, number, number];
    const n = batchSize ?? 1;
    outputDim = (await run(new Float32Array(n * h * w * c), n, [h, w, c])).length / n;
  }
  const dim = outputDim;

  return {
    model,
    input: inputName,
    output: outputName,
    layout,
    imageShape,
    batchSize,
    outputDim: dim,

    async extract(batch, n, hwc) {
      const [h, w, c] = hwc;
      const size = h * w * c;
      if (!Number.isInteger(n) || n < 0 || batch.length !== n * size) {
        throw fail(
          `an image batch of ${n} × ${formatShape(hwc)} holds ${n * size} floats, not ${batch.length}`,
          n * size,
          batch.length,
        );
      }
      const mismatch = imageShape.some((d, i) => d !== null && d !== hwc[i]);
      if (mismatch) {
        throw fail(
          `images do not fit input "${inputName}" of the model`,
          `[height, width, channels] ${formatShape(imageShape)}`,
          formatShape(hwc),
        );
      }
      const out = new Float32Array(n * dim);
      for (let start = 0; start < n; start += maxBatch) {
        const count = Math.min(maxBatch, n - start);
        // A fixed batch size gets its last run padded with blank images.
        const runSize = batchSize ?? count;
        const images = new Float32Array(runSize * size);
        images.set(batch.subarray(start * size, (start + count) * size));
        const features = await run(images, runSize, hwc);
        if (features.length !== runSize * dim) {
          throw fail(
            `output "${outputName}" has ${features.length / runSize} values per image for this image size`,
            dim,
            features.length / runSize,
          );
        }
        out.set(features.subarray(0, count * dim), start * dim);
      }
      return out;
    },
  };
}

/** How a model takes images: see {@link describeImageInput}. */
export interface OnnxImageInput {
  readonly input: string;
  readonly layout: OnnxImageLayout;
  /** `[height, width, channels]`; null where the model leaves it dynamic. */
  readonly imageShape: readonly [number | null, number | null, number | null];
  /** The fixed batch size, or null when any runs. */
  readonly batchSize: number | null;
}

/**
 * Reads how a model takes images from its declared input: which input, its layout (`auto`: NHWC
 * when the last dimension is 1 or 3 and the second is not, else NCHW), the image size and the
 * batch size where fixed. Throws E_INPUT when the input is not a single float32 rank-4 image batch.
 */
export function describeImageInput(
  model: OnnxModel,
  options: { readonly input?: string; readonly layout?: OnnxImageLayout | 'auto' } = {},
): OnnxImageInput {
  const fail = failFor(model);
  const inputName = options.input ?? model.inputNames[0]!;
  const input = model.inputs.find((i) => i.name === inputName);
  if (!input) throw fail(`the model has no input "${inputName}"`, model.inputNames, inputName);
  if (model.inputs.length > 1) {
    throw fail('a feature extractor feeds one image input; the model has several', 1, model.inputNames);
  }
  if (input.dtype !== 'float32') {
    throw fail(`input "${inputName}" is not a float32 tensor`, 'float32', input.dtype ?? 'not a tensor');
  }
  if (input.shape && input.shape.length !== 4) {
    throw fail(
      `input "${inputName}" is not an image batch`,
      'rank 4 ([batch, channels, height, width] or [batch, height, width, channels])',
      formatShape(input.shape),
    );
  }
  const shape = input.shape ?? [null, null, null, null];
  const fixed = (d: number | string | null | undefined) => (typeof d === 'number' ? d : null);
  const layout = options.layout && options.layout !== 'auto' ? options.layout : guessLayout(shape);
  const imageShape: [number | null, number | null, number | null] =
    layout === 'NCHW'
      ? [fixed(shape[2]), fixed(shape[3]), fixed(shape[1])]
      : [fixed(shape[1]), fixed(shape[2]), fixed(shape[3])];
  return { input: inputName, layout, imageShape, batchSize: fixed(shape[0]) };
}

function failFor(model: OnnxModel) {
  return (message: string, expected?: unknown, found?: unknown) =>
    new OmnifuseError({ code: ErrorCode.InvalidInput, message, file: model.file, expected, found });
}

/** Values per example of a declared `[batch, ...]` shape, or null when not all fixed. */
function perExample(shape: readonly (number | string | null)[] | null | undefined): number | null {
  if (!shape || shape.length < 2) return null;
  const rest = shape.slice(1);
  return rest.every((d) => typeof d === 'number') ? (rest as number[]).reduce((a, b) => a * b, 1) : null;
}

function guessLayout(shape: readonly (number | string | null)[]): OnnxImageLayout {
  const isChannels = (d: number | string | null | undefined) => d === 1 || d === 3;
  return isChannels(shape[3]) && !isChannels(shape[1]) ? 'NHWC' : 'NCHW';
}

/** `[n, h, w, c]` → `[n, c, h, w]`. */
export function toChannelsFirst(
  data: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
): Float32Array {
  if (c === 1) return data;
  const out = new Float32Array(data.length);
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    const base = b * plane * c;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < c; k++) out[base + k * plane + p] = data[base + p * c + k]!;
    }
  }
  return out;
}
