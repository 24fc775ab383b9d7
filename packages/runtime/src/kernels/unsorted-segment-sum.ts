import type { KernelConfig, TensorInfo, WasmHeapBackend } from './kernel-types.js';

/**
 * out[segmentIds[i], ...] += x[i, ...] over rows of `rowSize` elements; `out` is zeroed here.
 * Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
export function unsortedSegmentSumInto(
  x: ArrayLike<number>,
  segmentIds: ArrayLike<number>,
  rowSize: number,
  numSegments: number,
  out: Float32Array | Float64Array | Int32Array,
): void {
  out.fill(0);
  for (let i = 0; i < segmentIds.length; i++) {
    const segment = segmentIds[i];
    if (!(segment >= 0 && segment < numSegments)) continue;
    const to = segment * rowSize;
    const from = i * rowSize;
    for (let j = 0; j < rowSize; j++) out[to + j] += x[from + j];
  }
}

/**
 * `UnsortedSegmentSum` for wasm: the gradient of gather, so embedding layers need it to train.
 * Output shape is [numSegments, ...x.shape after segmentIds' rank].
 */
export function unsortedSegmentSumKernel(): KernelConfig {
  return {
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
      const { numSegments } = attrs as unknown as { numSegments: number };
      const rowShape = x.shape.slice(segmentIds.shape.length);
      const rowSize = rowShape.reduce((a, b) => a * b, 1);
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
      unsortedSegmentSumInto(
        wasm.typedArrayFromHeap(x),
        wasm.typedArrayFromHeap(segmentIds),
        rowSize,
        numSegments,
        wasm.typedArrayFromHeap(out) as Float32Array | Int32Array,
      );
      return out;
    },
  };
}
