import { CONV2D_BACKPROP_FILTER_WASM_BASE64 } from './conv2d-backprop-filter-wasm.generated.js';
import type { ConvGeometry } from './kernel-types.js';
import {
  align16,
  copyNhwc,
  ensure,
  instantiate,
  lazySimdModule,
  MAX_BYTES,
  type WasmMemory,
} from './wasm-simd.js';

interface FilterGradExports {
  memory: WasmMemory;
  heapBase(): number;
  padInput(...args: number[]): void;
  filterGrad(...args: number[]): void;
}

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. Compiled once per process (2 KB). */
const filterGradModule = lazySimdModule(CONV2D_BACKPROP_FILTER_WASM_BASE64);

export function wasmConv2dBackpropFilterAvailable(): boolean {
  return filterGradModule() !== null;
}

/** Same contract as `conv2dBackpropFilterInto`; returns false (writing nothing) when it cannot run. */
export type Conv2dBackpropFilterRun = (
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: ConvGeometry,
  dw: Float32Array | Float64Array,
) => boolean;

/**
 * The WebAssembly SIMD filter gradient (wasm/conv2d-backprop-filter.ts), with its own memory: x and
 * dy are copied in (x zero-padded), the module sums, dW is copied out. The memory grows to the
 * largest call and is reused. Null where WebAssembly SIMD is unavailable.
 */
export function createWasmConv2dBackpropFilter(): Conv2dBackpropFilterRun | null {
  const module = filterGradModule();
  const wasm = module && instantiate<FilterGradExports>(module);
  if (!wasm) return null;
  const base = align16(wasm.heapBase());
  return (x, dy, g, dw) => {
    const { batch, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = g;
    const taps = g.filterHeight * g.filterWidth;
    if (batch * outHeight * outWidth === 0 || taps * ci * co === 0) {
      dw.fill(0);
      return true;
    }
    // Padded rows and columns: exactly those the windows reach.
    const hp = (outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1;
    const wp = (outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1;
    const coP = (co + 3) & ~3;
    const xSize = batch * inHeight * inWidth * ci;
    const dySize = batch * outHeight * outWidth * co;
    const total = base;
    const out = align16(total + 8 * taps * ci * coP);
    const xPadded = align16(out + 4 * taps * ci * co);
    const dyAt = align16(xPadded + 4 * batch * hp * wp * ci);
    const xRaw = align16(dyAt + 4 * dySize + 16); // 16 bytes of slack: dy is read 4 channels at a time
    const end = xRaw + 4 * xSize;
    if (end > MAX_BYTES || !ensure(wasm.memory, end)) return false;
    const buffer = wasm.memory.buffer;
    copyNhwc(x, g.xStrides, [batch, inHeight, inWidth, ci], new Float32Array(buffer, xRaw, xSize));
    copyNhwc(dy, g.dyStrides, [batch, outHeight, outWidth, co], new Float32Array(buffer, dyAt, dySize));
    wasm.padInput(xRaw, xPadded, batch, inHeight, inWidth, ci, hp, wp, g.padTop, g.padLeft);
    wasm.filterGrad(
      xPadded,
      dyAt,
      total,
      out,
      batch,
      hp,
      wp,
      ci,
      outHeight,
      outWidth,
      co,
      g.filterHeight,
      g.filterWidth,
      g.strideHeight,
      g.strideWidth,
      g.dilationHeight,
      g.dilationWidth,
    );
    dw.set(new Float32Array(wasm.memory.buffer, out, taps * ci * co));
    return true;
  };
}
