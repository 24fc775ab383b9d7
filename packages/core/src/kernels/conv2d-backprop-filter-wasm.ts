import { CONV2D_BACKPROP_FILTER_WASM_BASE64 } from './conv2d-backprop-filter-wasm.generated.js';
import type { ConvGeometry } from './kernel-types.js';

// The few WebAssembly JS API members used here (the DOM lib that declares them is not in this
// package's compilation; Node 20 and every current browser provide them).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
const WebAssembly = (
  globalThis as unknown as {
    WebAssembly?: {
      validate(bytes: Uint8Array): boolean;
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (module: WasmModule, imports: object) => { exports: unknown };
    };
  }
).WebAssembly;

interface FilterGradExports {
  memory: WasmMemory;
  heapBase(): number;
  padInput(...args: number[]): void;
  filterGrad(...args: number[]): void;
}

/** A module whose one function returns a v128 constant: valid exactly where wasm SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0,
  0x61,
  0x73,
  0x6d,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  0x60,
  0,
  1,
  0x7b,
  3,
  2,
  1,
  0,
  0x0a,
  0x16,
  1,
  0x14,
  0,
  0xfd,
  0x0c,
  ...new Array<number>(16).fill(0),
  0x0b,
]);

let compiled: WasmModule | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. Compiled once per process (2 KB). */
function filterGradModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  try {
    if (!WebAssembly?.validate(SIMD_PROBE)) {
      compiled = null;
      return compiled;
    }
    const text = atob(CONV2D_BACKPROP_FILTER_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

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

const PAGE = 65536;
const align16 = (bytes: number): number => (bytes + 15) & ~15;
/** Addresses are i32 in the module; stay clear of wasm32's 4 GiB ceiling. */
const MAX_BYTES = 2 ** 31;

/**
 * The WebAssembly SIMD filter gradient (wasm/conv2d-backprop-filter.ts), with its own memory: x and
 * dy are copied in (x zero-padded), the module sums, dW is copied out. The memory grows to the
 * largest call and is reused. Null where WebAssembly SIMD is unavailable.
 */
export function createWasmConv2dBackpropFilter(): Conv2dBackpropFilterRun | null {
  const module = filterGradModule();
  if (!module || !WebAssembly) return null;
  let wasm: FilterGradExports;
  try {
    wasm = new WebAssembly.Instance(module, {}).exports as unknown as FilterGradExports;
  } catch {
    return null;
  }
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

/** Copies a 4-d tensor with the given element strides into `to`, laid out NHWC. */
function copyNhwc(
  from: ArrayLike<number>,
  strides: readonly [number, number, number, number],
  [n, h, w, c]: [number, number, number, number],
  to: Float32Array,
): void {
  const [sB, sH, sW, sC] = strides;
  const contiguous = sC === 1 && sW === c && sH === w * c && sB === h * w * c;
  if (contiguous && (from instanceof Float32Array || from instanceof Float64Array)) {
    to.set(from.subarray(0, to.length));
    return;
  }
  let k = 0;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const at = b * sB + i * sH + j * sW;
        for (let ch = 0; ch < c; ch++) to[k++] = from[at + ch * sC];
      }
}

function ensure(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}
