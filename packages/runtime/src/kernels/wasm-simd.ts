// Plumbing shared by omnifuse's WebAssembly SIMD kernels (conv2d-backprop-filter-wasm.ts,
// conv2d-backprop-input-wasm.ts): SIMD detection, compiling a committed base64 module, and moving
// tensors in and out of a kernel's own memory.

// The few WebAssembly JS API members used here (the DOM lib that declares them is not in this
// package's compilation; Node 20 and every current browser provide them).
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export type WasmModule = object;
const WebAssembly = (
  globalThis as unknown as {
    WebAssembly?: {
      validate(bytes: Uint8Array): boolean;
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (module: WasmModule, imports: object) => { exports: unknown };
    };
  }
).WebAssembly;

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

/**
 * Compiles a committed base64 module; null where WebAssembly SIMD is unavailable or compiling fails.
 */
export function compileSimdModule(base64: string): WasmModule | null {
  try {
    if (!WebAssembly?.validate(SIMD_PROBE)) return null;
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new WebAssembly.Module(bytes);
  } catch {
    return null;
  }
}

/** {@link compileSimdModule} on first call, the same module (or null) after: one compile per process. */
export function lazySimdModule(base64: string): () => WasmModule | null {
  let compiled: WasmModule | null | undefined;
  return () => {
    if (compiled === undefined) compiled = compileSimdModule(base64);
    return compiled;
  };
}

/** A new instance's exports (each instance has its own memory), or null if instantiating fails. */
export function instantiate<Exports>(module: WasmModule): Exports | null {
  if (!WebAssembly) return null;
  try {
    return new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  } catch {
    return null;
  }
}

const PAGE = 65536;
export const align16 = (bytes: number): number => (bytes + 15) & ~15;
/** Addresses are i32 in the modules; stay clear of wasm32's 4 GiB ceiling. */
export const MAX_BYTES = 2 ** 31;

/** Copies a 4-d tensor with the given element strides into `to`, laid out NHWC. */
export function copyNhwc(
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

/** Grows `memory` to at least `bytes`; false if it cannot. */
export function ensure(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}

/** Copies `from`, laid out NHWC, into a 4-d tensor `to` with the given element strides. */
export function copyToStrided(
  from: Float32Array,
  strides: readonly [number, number, number, number],
  [n, h, w, c]: [number, number, number, number],
  to: Float32Array | Float64Array,
): void {
  const [sB, sH, sW, sC] = strides;
  if (sC === 1 && sW === c && sH === w * c && sB === h * w * c) {
    to.set(from);
    return;
  }
  let k = 0;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const at = b * sB + i * sH + j * sW;
        for (let ch = 0; ch < c; ch++) to[at + ch * sC] = from[k++];
      }
}
