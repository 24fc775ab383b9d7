import { type BuildOnnxModelOptions, buildOnnxModel } from './build-onnx-model.js';

/** Deterministic pseudo-random floats in [-scale, scale) (a small LCG; tests only). */
export function seededFloats(count: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32) * 2 * scale - scale;
  }
  return out;
}

export interface TinyCnn {
  readonly bytes: Uint8Array;
  readonly channels: number;
  readonly filters: number;
  /** `[filters, channels, 3, 3]`. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Conv 3×3 (pad 1) → Relu → GlobalAveragePool → Flatten: an image in, `filters` features out.
 * `layout: 'NHWC'` declares a channels-last input and transposes it inside the graph.
 */
export function buildTinyCnn(
  options: {
    channels?: number;
    filters?: number;
    height?: number | string | null;
    width?: number | string | null;
    batch?: number | string | null;
    layout?: 'NCHW' | 'NHWC';
    seed?: number;
  } = {},
): TinyCnn {
  const channels = options.channels ?? 3;
  const filters = options.filters ?? 4;
  const h = options.height === undefined ? 8 : options.height;
  const w = options.width === undefined ? 8 : options.width;
  const batch = options.batch === undefined ? 'batch' : options.batch;
  const weight = seededFloats(filters * channels * 9, options.seed ?? 7, 0.5);
  const bias = seededFloats(filters, (options.seed ?? 7) + 1, 0.1);
  const nhwc = options.layout === 'NHWC';
  const spec: BuildOnnxModelOptions = {
    inputs: [{ name: 'image', shape: nhwc ? [batch, h, w, channels] : [batch, channels, h, w] }],
    outputs: [{ name: 'features', shape: [batch, filters] }],
    initializers: [
      { name: 'conv.weight', dims: [filters, channels, 3, 3], data: weight },
      { name: 'conv.bias', dims: [filters], data: bias },
    ],
    nodes: [
      ...(nhwc
        ? [
            {
              op: 'Transpose',
              inputs: ['image'],
              outputs: ['image_nchw'],
              attributes: { perm: [0, 3, 1, 2] },
            },
          ]
        : []),
      {
        op: 'Conv',
        inputs: [nhwc ? 'image_nchw' : 'image', 'conv.weight', 'conv.bias'],
        outputs: ['conv'],
        attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] },
      },
      { op: 'Relu', inputs: ['conv'], outputs: ['relu'] },
      { op: 'GlobalAveragePool', inputs: ['relu'], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['features'], attributes: { axis: 1 } },
    ],
  };
  return { bytes: buildOnnxModel(spec), channels, filters, weight, bias };
}

/** 2-D convolution of one NCHW image, stride 1, zero padding `pad`, in float64. */
export function conv2d(
  image: Float32Array,
  [c, h, w]: readonly [number, number, number],
  weight: Float32Array,
  bias: Float32Array,
  kernel: number,
  pad: number,
): { data: Float64Array; h: number; w: number } {
  const filters = bias.length;
  const oh = h + 2 * pad - kernel + 1;
  const ow = w + 2 * pad - kernel + 1;
  const out = new Float64Array(filters * oh * ow);
  for (let f = 0; f < filters; f++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let sum = bias[f]!;
        for (let k = 0; k < c; k++) {
          for (let ky = 0; ky < kernel; ky++) {
            for (let kx = 0; kx < kernel; kx++) {
              const iy = y + ky - pad;
              const ix = x + kx - pad;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              sum += image[(k * h + iy) * w + ix]! * weight[((f * c + k) * kernel + ky) * kernel + kx]!;
            }
          }
        }
        out[(f * oh + y) * ow + x] = sum;
      }
    }
  }
  return { data: out, h: oh, w: ow };
}

/** The tiny CNN in plain JS on one NCHW image: conv 3×3 pad 1 → relu → mean over each map. */
export function tinyCnnReference(cnn: TinyCnn, image: Float32Array, h: number, w: number): Float64Array {
  const conv = conv2d(image, [cnn.channels, h, w], cnn.weight, cnn.bias, 3, 1);
  const out = new Float64Array(cnn.filters);
  const plane = conv.h * conv.w;
  for (let f = 0; f < cnn.filters; f++) {
    let sum = 0;
    for (let p = 0; p < plane; p++) sum += Math.max(0, conv.data[f * plane + p]!);
    out[f] = sum / plane;
  }
  return out;
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** What Node throws for `import('onnxruntime-node')` when the package is not installed. */
export function notInstalled(): Error {
  return Object.assign(
    new Error("Cannot find package 'onnxruntime-node' imported from /app/node_modules/@omnifuse/onnx"),
    { code: 'ERR_MODULE_NOT_FOUND' },
  );
}
