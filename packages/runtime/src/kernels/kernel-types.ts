import type * as tfjs from '@tensorflow/tfjs';

/** The tfjs namespace. Kernels take it as an argument so omnifuse and the app share one tfjs instance. */
export type Tfjs = typeof tfjs;
export type TensorInfo = tfjs.TensorInfo;
export type KernelConfig = tfjs.KernelConfig;
export type Conv2DInfo = tfjs.backend_util.Conv2DInfo;

/**
 * The part of tfjs-backend-wasm's `BackendWasm` our kernels use. Typed structurally so the
 * published declarations do not depend on the optional wasm package.
 */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tfjs.DataType): TensorInfo;
  /** A view of the tensor's memory on the wasm heap; stale once the heap grows (any makeOutput). */
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Convolution geometry with element strides, so one loop nest serves NHWC and NCHW. */
/** The geometry of a max pool (NHWC), shared by its JS and WebAssembly kernels. */
export interface PoolGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
  /** Element strides of the input (x or dx) for [batch, row, column, channel]. */
  xStrides: readonly [number, number, number, number];
  /** Element strides of dy for [batch, row, column, channel]. */
  dyStrides: readonly [number, number, number, number];
}

export function convGeometry(info: Conv2DInfo): ConvGeometry {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, outChannels: oc } = info;
  const channelsLast = info.dataFormat === 'channelsLast';
  return {
    batch: info.batchSize,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    outChannels: oc,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    xStrides: channelsLast ? [h * w * c, w * c, c, 1] : [c * h * w, w, 1, h * w],
    dyStrides: channelsLast ? [oh * ow * oc, ow * oc, oc, 1] : [oc * oh * ow, ow, 1, oh * ow],
  };
}

/** The attributes tfjs passes to the conv2d gradient kernels. */
interface Conv2DGradAttrs {
  readonly strides: [number, number] | number;
  readonly pad: Parameters<Tfjs['backend_util']['computeConv2DInfo']>[4];
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** conv2d's geometry from a gradient kernel's attributes (no dilations, as tfjs's conv2d gradient). */
export function conv2dInfoFromAttrs(
  tf: Tfjs,
  inputShape: readonly number[],
  filterShape: readonly number[],
  attrs: unknown,
): Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs as Conv2DGradAttrs;
  return tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC'),
  );
}
