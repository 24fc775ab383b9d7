import type { KernelConfig, PoolGeometry, TensorInfo, Tfjs, WasmHeapBackend } from './kernel-types.js';
import { createWasmMaxPoolGrad, type MaxPoolGradRun } from './max-pool-grad-wasm.js';

export type { PoolGeometry };

/**
 * dX of max pooling (NHWC), scattered into `dx` (zeroed here): each window's gradient goes to the
 * first (row-major) position holding its maximum, as on tfjs's cpu backend and in TensorFlow.
 * Windows holding only NaN or -Infinity get no gradient, as on cpu.
 */
export function maxPoolGradInto(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: PoolGeometry,
  dx: Float32Array | Float64Array,
): void {
  const { inHeight, inWidth, channels: c, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = g;
  // Per-channel running max and its flat index, so the window scan stays contiguous over channels.
  const best = new Float64Array(c);
  const bestAt = new Int32Array(c);
  dx.fill(0);
  for (let b = 0; b < g.batch; b++) {
    const xImage = b * inHeight * inWidth * c;
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - g.padTop;
      for (let ow = 0; ow < outWidth; ow++) {
        const iw0 = ow * strideWidth - g.padLeft;
        best.fill(Number.NEGATIVE_INFINITY);
        bestAt.fill(-1);
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = ih0 + fh * dilationHeight;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = iw0 + fw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            const at = xImage + (ih * inWidth + iw) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[at + ch];
              // `>` keeps the first maximum and never takes NaN.
              if (v > best[ch]) {
                best[ch] = v;
                bestAt[ch] = at + ch;
              }
            }
          }
        }
        const dyAt = ((b * outHeight + oh) * outWidth + ow) * c;
        for (let ch = 0; ch < c; ch++) {
          if (bestAt[ch] >= 0) dx[bestAt[ch]] += dy[dyAt + ch];
        }
      }
    }
  }
}

export interface MaxPoolGradKernelOptions {
  /**
   * 'auto' (default): the WebAssembly SIMD kernel where WebAssembly SIMD is available, else the
   * plain-JS one; 'js' forces the plain-JS kernel (tests, comparison benchmarks).
   */
  engine?: 'auto' | 'js';
}

/**
 * `MaxPoolGrad` for wasm. tfjs-backend-wasm 4.22 has one, but it routes the gradient of a window whose
 * values are all <= 0 to the wrong place (or drops it), and breaks ties differently from cpu; max
 * pooling not preceded by ReLU (e.g. after batch norm, or maxPooling1d on raw features) trained wrong.
 * Runs the WebAssembly SIMD kernel (max-pool-grad-wasm.ts, same results) where it can; the module is
 * instantiated on first use and keeps its memory for later calls.
 */
export function maxPoolGradKernel(tf: Tfjs, options: MaxPoolGradKernelOptions = {}): KernelConfig {
  let simd: MaxPoolGradRun | null | undefined = options.engine === 'js' ? null : undefined;
  return {
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
      const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
        filterSize: [number, number] | number;
        strides: [number, number] | number;
        pad: Parameters<Tfjs['backend_util']['computePool2DInfo']>[4];
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
      };
      const info = tf.backend_util.computePool2DInfo(
        input.shape as [number, number, number, number],
        filterSize,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([...input.shape], 'float32');
      // Views are taken after makeOutput: allocating can grow (and so detach) the wasm heap.
      const args = [
        wasm.typedArrayFromHeap(input),
        wasm.typedArrayFromHeap(dy),
        {
          batch: info.batchSize,
          inHeight: info.inHeight,
          inWidth: info.inWidth,
          channels: info.inChannels,
          outHeight: info.outHeight,
          outWidth: info.outWidth,
          filterHeight: info.filterHeight,
          filterWidth: info.filterWidth,
          strideHeight: info.strideHeight,
          strideWidth: info.strideWidth,
          dilationHeight: info.dilationHeight,
          dilationWidth: info.dilationWidth,
          padTop: info.padInfo.top,
          padLeft: info.padInfo.left,
        },
        wasm.typedArrayFromHeap(out) as Float32Array,
      ] as const;
      if (simd === undefined) simd = createWasmMaxPoolGrad();
      // The SIMD kernel's own memory is separate from tfjs's heap, so the views stay valid.
      if (!simd?.(...args)) maxPoolGradInto(...args);
      return out;
    },
  };
}
