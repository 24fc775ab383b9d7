import type { KernelConfig, TensorInfo, Tfjs, WasmHeapBackend } from './kernel-types.js';

/**
 * Sums `x` (of `shape`, row-major) over `axes` into `out` (the kept dimensions in order), times
 * `scale`, accumulating in float64. tfjs's cpu backend accumulates in JS numbers too (float64);
 * wasm's Sum and Mean accumulate in float32, which over the 500,000 values a batch-norm statistic or
 * its gradient sums in a first conv layer (40 × 112 × 112) loses several digits — enough, where the
 * terms cancel, to change the batch-norm gradient by tens of percent.
 */
export function reduceSumInto(
  x: Float32Array,
  shape: readonly number[],
  axes: readonly number[],
  out: Float32Array,
  scale = 1,
): void {
  const reduced = new Set(axes);
  // Runs of neighbouring dimensions that are all reduced or all kept act as one dimension.
  const groups: { size: number; reduced: boolean }[] = [];
  shape.forEach((size, d) => {
    const last = groups[groups.length - 1];
    if (last && last.reduced === reduced.has(d)) last.size *= size;
    else groups.push({ size, reduced: reduced.has(d) });
  });
  const acc = new Float64Array(out.length);
  if (groups.length === 0 || shape.some((size) => size === 0)) {
    // A scalar sums to itself; an empty reduction sums to 0.
    if (out.length > 0 && groups.length === 0) acc[0] = x[0] ?? 0;
  } else {
    const last = groups.length - 1;
    if (groups.length <= 2 && groups[last]!.reduced) {
      // Reduce trailing axes (keep leading ones, if any): contiguous runs, four partial sums.
      const width = groups[last]!.size;
      for (let o = 0; o < out.length; o++) out[o] = sumRun(x, o * width, width) * scale;
      return;
    }
    if (groups.length === 2 || (groups.length === 3 && !groups[0]!.reduced)) {
      // Reduce the middle (or leading) axes, keep the trailing ones — per-channel statistics of
      // NHWC: one pass in memory order per kept leading index.
      const outer = groups.length === 3 ? groups[0]!.size : 1;
      const rows = groups[groups.length - 2]!.size;
      const width = groups[last]!.size;
      for (let o = 0; o < outer; o++) sumRowsInto(x, o * rows * width, rows, width, acc, o * width);
      for (let i = 0; i < out.length; i++) out[i] = acc[i]! * scale;
      return;
    }
    // Any other pattern: walk the groups, element strides per group in x and in the output.
    const xStrides = groups.map((_, g) => groups.slice(g + 1).reduce((p, q) => p * q.size, 1));
    const outStrides = groups.map((_, g) =>
      groups.slice(g + 1).reduce((p, q) => (q.reduced ? p : p * q.size), 1),
    );
    const walk = (g: number, xAt: number, outAt: number): void => {
      const { size, reduced: isReduced } = groups[g]!;
      if (g === last) {
        if (isReduced) {
          acc[outAt] += sumRun(x, xAt, size);
        } else {
          for (let k = 0; k < size; k++) acc[outAt + k] += x[xAt + k]!;
        }
        return;
      }
      const xStride = xStrides[g]!;
      const outStride = isReduced ? 0 : outStrides[g]!;
      for (let k = 0; k < size; k++) walk(g + 1, xAt + k * xStride, outAt + k * outStride);
    };
    walk(0, 0, 0);
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i]! * scale;
}

/** x[from] + … + x[from + length − 1] in float64, four partial sums (independent adds pipeline). */
function sumRun(x: Float32Array, from: number, length: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = from;
  const end = from + length;
  for (; i + 4 <= end; i += 4) {
    a += x[i]!;
    b += x[i + 1]!;
    c += x[i + 2]!;
    d += x[i + 3]!;
  }
  for (; i < end; i++) a += x[i]!;
  return a + b + c + d;
}

/**
 * acc[to + k] += Σ_r x[from + r·width + k] for k < width: rows summed in memory order, four rows at a
 * time into separate partial sums (so consecutive adds to one column do not wait on each other).
 */
function sumRowsInto(
  x: Float32Array,
  from: number,
  rows: number,
  width: number,
  acc: Float64Array,
  to: number,
): void {
  const partial = new Float64Array(4 * width);
  let r = 0;
  let i = from;
  for (; r + 4 <= rows; r += 4, i += 4 * width) {
    for (let k = 0; k < width; k++) {
      partial[k] += x[i + k]!;
      partial[width + k] += x[i + width + k]!;
      partial[2 * width + k] += x[i + 2 * width + k]!;
      partial[3 * width + k] += x[i + 3 * width + k]!;
    }
  }
  for (; r < rows; r++, i += width) for (let k = 0; k < width; k++) partial[k] += x[i + k]!;
  for (let k = 0; k < width; k++) {
    acc[to + k] += partial[k]! + partial[width + k]! + partial[2 * width + k]! + partial[3 * width + k]!;
  }
}

type ReductionName = 'Sum' | 'Mean';

/**
 * `Sum` or `Mean` for wasm on float32 tensors, accumulated in float64 (`reduceSumInto`); other
 * dtypes go to the kernel wasm registered (captured here, setup included, so it still works after
 * ours replaces it).
 */
export function accurateReductionKernel(tf: Tfjs, kernelName: ReductionName): KernelConfig {
  const original = tf.getKernel(kernelName, 'wasm');
  return {
    kernelName,
    backendName: 'wasm',
    ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { x } = inputs as { x: TensorInfo };
      if (x.dtype !== 'float32') {
        if (!original) throw new Error(`${kernelName} on wasm: no kernel for ${x.dtype} tensors`);
        return original.kernelFunc(args);
      }
      const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const [kept, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
      const reduceSize = tf.util.sizeFromShape(reduceShape);
      const outShape = keepDims ? tf.backend_util.expandShapeToKeepDim(kept, axes) : kept;
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput(outShape, 'float32');
      // Views are taken after makeOutput: allocating can grow (and so detach) the wasm heap.
      const scale = kernelName === 'Mean' && reduceSize > 0 ? 1 / reduceSize : 1;
      reduceSumInto(
        wasm.typedArrayFromHeap(x) as Float32Array,
        x.shape,
        axes,
        wasm.typedArrayFromHeap(out) as Float32Array,
        kernelName === 'Mean' && reduceSize === 0 ? Number.NaN : scale,
      );
      return out;
    },
  };
}
