import type { PoolGeometry } from './kernel-types.js';
import { MAX_POOL_GRAD_WASM_BASE64 } from './max-pool-grad-wasm.generated.js';
import {
  align16,
  copyNhwc,
  ensure,
  instantiate,
  lazySimdModule,
  MAX_BYTES,
  type WasmMemory,
} from './wasm-simd.js';

interface MaxPoolGradExports {
  memory: WasmMemory;
  heapBase(): number;
  maxPoolGrad(...args: number[]): void;
}

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. Compiled once per process (1 KB). */
const maxPoolGradModule = lazySimdModule(MAX_POOL_GRAD_WASM_BASE64);

export function wasmMaxPoolGradAvailable(): boolean {
  return maxPoolGradModule() !== null;
}

/** Same contract as `maxPoolGradInto` (x, dy, dx contiguous NHWC); false (writing nothing) when it cannot run. */
export type MaxPoolGradRun = (
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: PoolGeometry,
  dx: Float32Array | Float64Array,
) => boolean;

/**
 * The WebAssembly SIMD max-pool gradient (wasm/max-pool-grad.ts), with its own memory: x and dy are
 * copied in, dx is copied out. The memory grows to the largest call and is reused. Null where
 * WebAssembly SIMD is unavailable.
 */
export function createWasmMaxPoolGrad(): MaxPoolGradRun | null {
  const module = maxPoolGradModule();
  const wasm = module && instantiate<MaxPoolGradExports>(module);
  if (!wasm) return null;
  const base = align16(wasm.heapBase());
  return (x, dy, g, dx) => {
    const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
    const xSize = batch * inHeight * inWidth * c;
    const dySize = batch * outHeight * outWidth * c;
    if (xSize === 0) return true;
    const xAt = base;
    const dyAt = align16(xAt + 4 * xSize);
    const dxAt = align16(dyAt + 4 * dySize);
    const end = dxAt + 4 * xSize;
    if (end > MAX_BYTES || !ensure(wasm.memory, end)) return false;
    const buffer = wasm.memory.buffer;
    const xStrides = [inHeight * inWidth * c, inWidth * c, c, 1] as const;
    const dyStrides = [outHeight * outWidth * c, outWidth * c, c, 1] as const;
    copyNhwc(x, xStrides, [batch, inHeight, inWidth, c], new Float32Array(buffer, xAt, xSize));
    copyNhwc(dy, dyStrides, [batch, outHeight, outWidth, c], new Float32Array(buffer, dyAt, dySize));
    wasm.maxPoolGrad(
      xAt,
      dyAt,
      dxAt,
      batch,
      inHeight,
      inWidth,
      c,
      outHeight,
      outWidth,
      g.filterHeight,
      g.filterWidth,
      g.strideHeight,
      g.strideWidth,
      g.dilationHeight,
      g.dilationWidth,
      g.padTop,
      g.padLeft,
    );
    dx.set(new Float32Array(wasm.memory.buffer, dxAt, xSize));
    return true;
  };
}
