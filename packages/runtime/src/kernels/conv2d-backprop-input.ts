import { type Conv2dBackpropInputRun, createWasmConv2dBackpropInput } from './conv2d-backprop-input-wasm.js';
import {
  type ConvGeometry,
  conv2dInfoFromAttrs,
  convGeometry,
  type KernelConfig,
  type TensorInfo,
  type Tfjs,
  type WasmHeapBackend,
} from './kernel-types.js';

/**
 * dx[b, ih, iw, ic] = sum over taps and oc of dy[b, oh, ow, oc] * filter[fh, fw, ic, oc], where
 * oh * strideHeight + fh * dilationHeight = ih + padTop (likewise for columns); `filter` is
 * contiguous [filterHeight, filterWidth, inChannels, outChannels] and `dx` is written with
 * `g.xStrides`. The plain-JS kernel (sums in float64): the registered one runs the WebAssembly SIMD
 * kernel (conv2d-backprop-input-wasm.ts) where it can.
 */
export function conv2dBackpropInputInto(
  dy: ArrayLike<number>,
  filter: ArrayLike<number>,
  g: ConvGeometry,
  dx: Float32Array | Float64Array,
): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = g;
  const [xsB, xsH, xsW, xsC] = g.xStrides;
  const [ysB, ysH, ysW, ysC] = g.dyStrides;
  const acc = new Float64Array(ci);
  for (let b = 0; b < g.batch; b++) {
    for (let ih = 0; ih < inHeight; ih++) {
      for (let iw = 0; iw < inWidth; iw++) {
        acc.fill(0);
        for (let fh = 0; fh < filterHeight; fh++) {
          const th = ih + g.padTop - fh * dilationHeight;
          const oh = th / strideHeight;
          if (th < 0 || oh >= outHeight || !Number.isInteger(oh)) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const tw = iw + g.padLeft - fw * dilationWidth;
            const ow = tw / strideWidth;
            if (tw < 0 || ow >= outWidth || !Number.isInteger(ow)) continue;
            const dyAt = b * ysB + oh * ysH + ow * ysW;
            const wAt = (fh * filterWidth + fw) * ci * co;
            for (let ic = 0; ic < ci; ic++) {
              let sum = 0;
              const w = wAt + ic * co;
              for (let oc = 0; oc < co; oc++) sum += dy[dyAt + oc * ysC] * filter[w + oc];
              acc[ic] += sum;
            }
          }
        }
        const at = b * xsB + ih * xsH + iw * xsW;
        for (let ic = 0; ic < ci; ic++) dx[at + ic * xsC] = acc[ic];
      }
    }
  }
}

export interface Conv2dBackpropInputKernelOptions {
  /**
   * 'auto' (default): the WebAssembly SIMD kernel where WebAssembly SIMD is available, else the
   * plain-JS one; 'js' forces the plain-JS kernel (tests, comparison benchmarks).
   */
  engine?: 'auto' | 'js';
}

/**
 * `Conv2DBackpropInput` for the wasm backend: the input gradient of conv2d (and conv2dTranspose's
 * forward pass). tfjs-backend-wasm 4.22 has a scalar C++ one; this one is 2-11x faster on the LF
 * LeNet's layers (bench/cnn-wasm-kernels.mjs), so it replaces it. The SIMD module is instantiated
 * on first use and keeps its memory for later calls.
 */
export function conv2dBackpropInputKernel(
  tf: Tfjs,
  options: Conv2dBackpropInputKernelOptions = {},
): KernelConfig {
  let simd: Conv2dBackpropInputRun | null | undefined = options.engine === 'js' ? null : undefined;
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const { inputShape } = attrs as unknown as { inputShape: number[] };
      // Like wasm's built-in (and tfjs's conv2d gradient): no dilations.
      const info = conv2dInfoFromAttrs(tf, inputShape, filter.shape, attrs);
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([...info.inShape], 'float32');
      // Views are taken after makeOutput: allocating can grow (and so detach) the wasm heap.
      const args = [
        wasm.typedArrayFromHeap(dy),
        wasm.typedArrayFromHeap(filter),
        convGeometry(info),
        wasm.typedArrayFromHeap(out) as Float32Array,
      ] as const;
      if (simd === undefined) simd = createWasmConv2dBackpropInput();
      // The SIMD kernel's own memory is separate from tfjs's heap, so the views stay valid.
      if (!simd?.(...args)) conv2dBackpropInputInto(...args);
      return out;
    },
  };
}
