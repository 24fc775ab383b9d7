import { CONV2D_BACKPROP_INPUT_WASM_BASE64 } from './conv2d-backprop-input-wasm.generated.js';
import type { ConvGeometry } from './kernel-types.js';
import {
  align16,
  copyNhwc,
  copyToStrided,
  ensure,
  instantiate,
  lazySimdModule,
  MAX_BYTES,
  type WasmMemory,
} from './wasm-simd.js';

interface InputGradExports {
  memory: WasmMemory;
  heapBase(): number;
  inputGradOverIn(...args: number[]): void;
  inputGradOverOut(...args: number[]): void;
}

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. Compiled once per process. */
const inputGradModule = lazySimdModule(CONV2D_BACKPROP_INPUT_WASM_BASE64);

export function wasmConv2dBackpropInputAvailable(): boolean {
  return inputGradModule() !== null;
}

/**
 * Same contract as `conv2dBackpropInputInto` (filter [fh, fw, ci, co], contiguous; dx written with
 * `g.xStrides`); returns false (writing nothing) when it cannot run.
 */
export type Conv2dBackpropInputRun = (
  dy: ArrayLike<number>,
  filter: ArrayLike<number>,
  g: ConvGeometry,
  dx: Float32Array | Float64Array,
) => boolean;

/**
 * The WebAssembly SIMD input gradient (wasm/conv2d-backprop-input.ts), with its own memory: dy and
 * the filter are copied in (the filter rearranged for the chosen vector layout), dx is copied out.
 * The memory grows to the largest call and is reused. Null where WebAssembly SIMD is unavailable.
 */
export function createWasmConv2dBackpropInput(): Conv2dBackpropInputRun | null {
  const module = inputGradModule();
  const wasm = module && instantiate<InputGradExports>(module);
  if (!wasm) return null;
  const base = align16(wasm.heapBase());
  return (dy, filter, g, dx) => {
    const { batch, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = g;
    const taps = g.filterHeight * g.filterWidth;
    const dxSize = batch * inHeight * inWidth * ci;
    if (dxSize === 0) return true;
    if (batch * outHeight * outWidth * taps * co === 0) {
      dx.fill(0);
      return true;
    }
    if (g.dilationHeight !== 1 || g.dilationWidth !== 1) return false;
    // Vectors over input channels when there are enough of them, else over output channels.
    const overIn = ci >= 4;
    const ciP = (ci + 3) & ~3;
    const coP = (co + 3) & ~3;
    const positions = batch * outHeight * outWidth;
    const wSize = overIn ? taps * co * ciP : taps * ci * coP;
    const dySize = overIn ? positions * co : positions * coP;
    const wAt = base;
    const dyAt = align16(wAt + 4 * wSize);
    const dxAt = align16(dyAt + 4 * dySize);
    const end = dxAt + 4 * dxSize + 16; // 16 bytes of slack: dx is stored 4 channels at a time
    if (end > MAX_BYTES || !ensure(wasm.memory, end)) return false;
    const buffer = wasm.memory.buffer;
    const w = new Float32Array(buffer, wAt, wSize);
    w.fill(0);
    for (let t = 0; t < taps; t++)
      for (let ic = 0; ic < ci; ic++) {
        const from = (t * ci + ic) * co;
        for (let oc = 0; oc < co; oc++)
          w[overIn ? (t * co + oc) * ciP + ic : (t * ci + ic) * coP + oc] = filter[from + oc];
      }
    const dyView = new Float32Array(buffer, dyAt, dySize);
    if (overIn || co === coP) copyNhwc(dy, g.dyStrides, [batch, outHeight, outWidth, co], dyView);
    else copyPaddingChannels(dy, g.dyStrides, [batch, outHeight, outWidth, co], coP, dyView);
    (overIn ? wasm.inputGradOverIn : wasm.inputGradOverOut)(
      dyAt,
      wAt,
      dxAt,
      batch,
      inHeight,
      inWidth,
      ci,
      outHeight,
      outWidth,
      co,
      g.filterHeight,
      g.filterWidth,
      g.strideHeight,
      g.strideWidth,
      g.padTop,
      g.padLeft,
    );
    const result = new Float32Array(wasm.memory.buffer, dxAt, dxSize);
    copyToStrided(result, g.xStrides, [batch, inHeight, inWidth, ci], dx);
    return true;
  };
}

/** Like copyNhwc, with each position's channels zero-filled up to `cP`. */
function copyPaddingChannels(
  from: ArrayLike<number>,
  [sB, sH, sW, sC]: readonly [number, number, number, number],
  [n, h, w, c]: [number, number, number, number],
  cP: number,
  to: Float32Array,
): void {
  let k = 0;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const at = b * sB + i * sH + j * sW;
        for (let ch = 0; ch < c; ch++) to[k + ch] = from[at + ch * sC];
        for (let ch = c; ch < cP; ch++) to[k + ch] = 0;
        k += cP;
      }
}
