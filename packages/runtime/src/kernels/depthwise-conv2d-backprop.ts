import {
  type Conv2DInfo,
  type ConvGeometry,
  convGeometry,
  type KernelConfig,
  type TensorInfo,
  type Tfjs,
  type WasmHeapBackend,
} from './kernel-types.js';

// A depthwise filter is [fh, fw, inChannels, multiplier]; output channel d = ic * multiplier + m,
// so the flat filter offset of (tap, d) is tap * outChannels + d and loops over d stay contiguous.

/** dW of a depthwise conv, written into `dw` ([fh, fw, inChannels, multiplier]); sums in float64. */
export function depthwiseConv2dBackpropFilterInto(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: ConvGeometry,
  dw: Float32Array | Float64Array,
): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = g;
  const [xsB, xsH, xsW, xsC] = g.xStrides;
  const [ysB, ysH, ysW, ysC] = g.dyStrides;
  const multiplier = co / ci;
  const acc = new Float64Array(filterHeight * filterWidth * co);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - g.padTop;
      for (let fh = 0; fh < filterHeight; fh++) {
        const ih = ih0 + fh * dilationHeight;
        if (ih < 0 || ih >= inHeight) continue;
        for (let ow = 0; ow < outWidth; ow++) {
          const iw0 = ow * strideWidth - g.padLeft;
          const dyAt = b * ysB + oh * ysH + ow * ysW;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = iw0 + fw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            const xAt = b * xsB + ih * xsH + iw * xsW;
            const wAt = (fh * filterWidth + fw) * co;
            for (let ic = 0; ic < ci; ic++) {
              const xv = x[xAt + ic * xsC];
              if (xv === 0) continue;
              const d0 = ic * multiplier;
              for (let m = 0; m < multiplier; m++) acc[wAt + d0 + m] += xv * dy[dyAt + (d0 + m) * ysC];
            }
          }
        }
      }
    }
  }
  dw.set(acc);
}

/**
 * dX of a depthwise conv, scattered into `dx` (shaped like x; zeroed here). Each dx element gets at
 * most taps * multiplier terms, so float32 accumulation loses nothing that matters.
 */
export function depthwiseConv2dBackpropInputInto(
  dy: ArrayLike<number>,
  filter: ArrayLike<number>,
  g: ConvGeometry,
  dx: Float32Array | Float64Array,
): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = g;
  const [xsB, xsH, xsW, xsC] = g.xStrides;
  const [ysB, ysH, ysW, ysC] = g.dyStrides;
  const multiplier = co / ci;
  dx.fill(0);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - g.padTop;
      for (let fh = 0; fh < filterHeight; fh++) {
        const ih = ih0 + fh * dilationHeight;
        if (ih < 0 || ih >= inHeight) continue;
        for (let ow = 0; ow < outWidth; ow++) {
          const iw0 = ow * strideWidth - g.padLeft;
          const dyAt = b * ysB + oh * ysH + ow * ysW;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = iw0 + fw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            const dxAt = b * xsB + ih * xsH + iw * xsW;
            const wAt = (fh * filterWidth + fw) * co;
            for (let ic = 0; ic < ci; ic++) {
              const d0 = ic * multiplier;
              let sum = 0;
              for (let m = 0; m < multiplier; m++) sum += filter[wAt + d0 + m] * dy[dyAt + (d0 + m) * ysC];
              dx[dxAt + ic * xsC] += sum;
            }
          }
        }
      }
    }
  }
}

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: Parameters<Tfjs['backend_util']['computeConv2DInfo']>[4];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function depthwiseInfo(tf: Tfjs, xShape: number[], filterShape: number[], attrs: DepthwiseAttrs): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

/** `DepthwiseConv2dNativeBackpropFilter` for wasm: depthwise and separable conv layers need it to train. */
export function depthwiseConv2dBackpropFilterKernel(tf: Tfjs): KernelConfig {
  return {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const a = attrs as unknown as DepthwiseAttrs & { filterShape: number[] };
      const info = depthwiseInfo(tf, x.shape, a.filterShape, a);
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([...info.filterShape], 'float32');
      depthwiseConv2dBackpropFilterInto(
        wasm.typedArrayFromHeap(x),
        wasm.typedArrayFromHeap(dy),
        convGeometry(info),
        wasm.typedArrayFromHeap(out) as Float32Array,
      );
      return out;
    },
  };
}

/** `DepthwiseConv2dNativeBackpropInput` for wasm: needed once a depthwise conv is not the first layer. */
export function depthwiseConv2dBackpropInputKernel(tf: Tfjs): KernelConfig {
  return {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const a = attrs as unknown as DepthwiseAttrs & { inputShape: number[] };
      const info = depthwiseInfo(tf, a.inputShape, filter.shape, a);
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([...info.inShape], 'float32');
      depthwiseConv2dBackpropInputInto(
        wasm.typedArrayFromHeap(dy),
        wasm.typedArrayFromHeap(filter),
        convGeometry(info),
        wasm.typedArrayFromHeap(out) as Float32Array,
      );
      return out;
    },
  };
}
