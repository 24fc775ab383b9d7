import {
  type Conv2dBackpropFilterRun,
  createWasmConv2dBackpropFilter,
} from './conv2d-backprop-filter-wasm.js';
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
 * dW[fh, fw, ic, oc] = sum over b, oh, ow of x[b, ih, iw, ic] * dy[b, oh, ow, oc], written into
 * `dw` laid out [filterHeight, filterWidth, inChannels, outChannels]. The plain-JS kernel: the
 * registered one runs the WebAssembly SIMD kernel (conv2d-backprop-filter-wasm.ts) where it can.
 *
 * Sums run in float64 because one weight gathers batch * outHeight * outWidth terms. Conv inputs
 * after ReLU/pooling (and MNIST-like images) and gradients below max pooling are mostly zero, so one
 * operand's zeros are skipped and the inner loop runs over the other's channels; which way round is
 * chosen from the measured densities (a 2-3x difference either way on a small MNIST CNN).
 */
export function conv2dBackpropFilterInto(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: ConvGeometry,
  dw: Float32Array | Float64Array,
): void {
  const taps = g.filterHeight * g.filterWidth;
  const acc = new Float64Array(taps * g.inChannels * g.outChannels);
  const { inChannels: ci, outChannels: co } = g;
  // Multiply-adds each way, plus a few per inner-loop start (measured cost of a loop entry).
  const loopEntry = 4;
  const overOut = density(x) * ci * (co + loopEntry);
  const overIn = density(dy) * co * (ci + loopEntry);
  if (overOut <= overIn) {
    accumulateOverOutChannels(x, dy, g, acc);
    dw.set(acc);
    return;
  }
  // acc is [tap][oc][ic] here; transpose into [tap][ic][oc].
  accumulateOverInChannels(x, dy, g, acc);
  for (let t = 0; t < taps; t++) {
    const base = t * ci * co;
    for (let ic = 0; ic < ci; ic++) {
      for (let oc = 0; oc < co; oc++) dw[base + ic * co + oc] = acc[base + oc * ci + ic];
    }
  }
}

/** Fraction of non-zeros, from an even sample: a full scan costs as much as a sparse kernel run. */
function density(values: ArrayLike<number>): number {
  const step = Math.max(1, Math.floor(values.length / 4096));
  let seen = 0;
  let nonZero = 0;
  for (let i = 0; i < values.length; i += step, seen++) if (values[i] !== 0) nonZero++;
  return nonZero / Math.max(1, seen);
}

/** Skips zeros of x; inner loop over output channels. acc is [tap][ic][oc]. */
function accumulateOverOutChannels(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: ConvGeometry,
  acc: Float64Array,
): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = g;
  const [xsB, xsH, xsW, xsC] = g.xStrides;
  const [ysB, ysH, ysW, ysC] = g.dyStrides;
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - g.padTop;
      for (let fh = 0; fh < filterHeight; fh++) {
        const ih = ih0 + fh * dilationHeight;
        if (ih < 0 || ih >= inHeight) continue;
        const xRow = b * xsB + ih * xsH;
        for (let ow = 0; ow < outWidth; ow++) {
          const iw0 = ow * strideWidth - g.padLeft;
          const dyAt = b * ysB + oh * ysH + ow * ysW;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = iw0 + fw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            const xAt = xRow + iw * xsW;
            const wAt = (fh * filterWidth + fw) * ci * co;
            for (let ic = 0; ic < ci; ic++) {
              const xv = x[xAt + ic * xsC];
              if (xv === 0) continue;
              const w = wAt + ic * co;
              for (let oc = 0; oc < co; oc++) acc[w + oc] += xv * dy[dyAt + oc * ysC];
            }
          }
        }
      }
    }
  }
}

/** Skips zeros of dy; inner loop over input channels. acc is [tap][oc][ic]. */
function accumulateOverInChannels(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: ConvGeometry,
  acc: Float64Array,
): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = g;
  const [xsB, xsH, xsW, xsC] = g.xStrides;
  const [ysB, ysH, ysW, ysC] = g.dyStrides;
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - g.padTop;
      for (let ow = 0; ow < outWidth; ow++) {
        const iw0 = ow * strideWidth - g.padLeft;
        const dyAt = b * ysB + oh * ysH + ow * ysW;
        for (let oc = 0; oc < co; oc++) {
          const dv = dy[dyAt + oc * ysC];
          if (dv === 0) continue;
          for (let fh = 0; fh < filterHeight; fh++) {
            const ih = ih0 + fh * dilationHeight;
            if (ih < 0 || ih >= inHeight) continue;
            for (let fw = 0; fw < filterWidth; fw++) {
              const iw = iw0 + fw * dilationWidth;
              if (iw < 0 || iw >= inWidth) continue;
              const xAt = b * xsB + ih * xsH + iw * xsW;
              const w = ((fh * filterWidth + fw) * co + oc) * ci;
              for (let ic = 0; ic < ci; ic++) acc[w + ic] += dv * x[xAt + ic * xsC];
            }
          }
        }
      }
    }
  }
}

export interface Conv2dBackpropFilterKernelOptions {
  /**
   * 'auto' (default): the WebAssembly SIMD kernel where WebAssembly SIMD is available, else the
   * plain-JS one; 'js' forces the plain-JS kernel (tests, comparison benchmarks).
   */
  engine?: 'auto' | 'js';
}

/**
 * `Conv2DBackpropFilter` for the wasm backend, which tfjs 4.22 lacks; conv layers need it to train.
 * The SIMD module is instantiated on first use and keeps its memory for later calls.
 */
export function conv2dBackpropFilterKernel(
  tf: Tfjs,
  options: Conv2dBackpropFilterKernelOptions = {},
): KernelConfig {
  let simd: Conv2dBackpropFilterRun | null | undefined = options.engine === 'js' ? null : undefined;
  return {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const { filterShape } = attrs as unknown as { filterShape: number[] };
      const info = conv2dInfoFromAttrs(tf, x.shape, filterShape, attrs);
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([...info.filterShape], 'float32');
      // Views are taken after makeOutput: allocating can grow (and so detach) the wasm heap.
      const args = [
        wasm.typedArrayFromHeap(x),
        wasm.typedArrayFromHeap(dy),
        convGeometry(info),
        wasm.typedArrayFromHeap(out) as Float32Array,
      ] as const;
      if (simd === undefined) simd = createWasmConv2dBackpropFilter();
      // The SIMD kernel's own memory is separate from tfjs's heap, so the views stay valid.
      if (!simd?.(...args)) conv2dBackpropFilterInto(...args);
      return out;
    },
  };
}
