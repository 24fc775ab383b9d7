import { radix4Tables } from './fft.js';
import { LOG_MEL_WASM_BASE64 } from './log-mel-wasm.generated.js';

/** The sparse mel bank as contiguous runs: filter m covers `len[m]` bins from `start[m]`, weights at `runs[off[m]..]`. */
export interface MelRuns {
  start: Int32Array;
  len: Int32Array;
  off: Int32Array;
  runs: Float64Array;
}

export interface MelDbKernelOptions {
  nFft: number;
  window: Float64Array;
  mel: MelRuns;
  amin: number;
  /** dB = scale · ln(max(power, amin)) − offset. */
  scale: number;
  offset: number;
  /** For MFCC: the DCT-II basis folded by symmetry, `[nMfcc, ceil(nMels / 2)]` (see `foldDct`). */
  dct?: { basis: Float64Array; nMfcc: number };
}

/** Per-frame log-mel values of a padded signal: power STFT → mel → dB, without the top_db clip. */
export interface MelDbKernel {
  readonly engine: 'wasm' | 'js';
  /**
   * Writes the padded signal through `fill` (given a buffer of `paddedLength` samples) and returns
   * `frames × nMels` dB values (row-major) and their maximum. `values` is only valid until the next
   * call on this kernel.
   */
  run(
    fill: (padded: Float64Array) => void,
    paddedLength: number,
    frames: number,
    hopLength: number,
  ): { values: Float64Array; max: number };
  /**
   * MFCC `[frames, nMfcc]` of the values the last `run` returned, each clipped below at `floor`
   * (needs `dct` in the options). Only valid until the next call on this kernel.
   */
  mfcc(frames: number, floor: number): Float64Array;
}

/**
 * The DCT-II basis `[nMfcc, nMels]` folded by symmetry: row k is symmetric about the centre for
 * even k and antisymmetric for odd k, so it acts on sums (even) or differences (odd) of mirrored
 * mels and only its first `ceil(nMels / 2)` entries are kept — half the multiplies.
 */
export function foldDct(dct: Float64Array, nMels: number, nMfcc: number): Float64Array {
  const foldLen = (nMels >> 1) + (nMels & 1);
  const basis = new Float64Array(nMfcc * foldLen);
  for (let k = 0; k < nMfcc; k++)
    for (let i = 0; i < foldLen; i++) basis[k * foldLen + i] = dct[k * nMels + i];
  return basis;
}

// The few WebAssembly JS API members used here (the DOM lib that declares them is not in this
// package's compilation; Node 20 and every current browser provide them).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
const WebAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      validate(bytes: Uint8Array): boolean;
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (module: WasmModule, imports: object) => { exports: unknown };
    };
  }
).WebAssembly;

interface LogMelExports {
  memory: WasmMemory;
  heapBase(): number;
  init(...args: number[]): void;
  melDb(padded: number, hopLength: number, frames: number, out: number): number;
  mfcc(
    values: number,
    frames: number,
    floor: number,
    basis: number,
    nMfcc: number,
    fold: number,
    out: number,
  ): void;
}

let compiled: WasmModule | null | undefined;

/**
 * The compiled kernel, or null where WebAssembly SIMD is unavailable (the JS kernel is used then).
 * Compiled synchronously once per process: the module is 3 KB, well under any engine's limit.
 */
function logMelModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  try {
    const text = atob(LOG_MEL_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

export function wasmLogMelAvailable(): boolean {
  return logMelModule() !== null;
}

const PAGE = 65536;
const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * The WebAssembly SIMD log-mel kernel (wasm/log-mel.ts): two frames per f64x2 vector through the
 * same packed radix-4 real FFT, mel runs and fdlibm logarithm as the JS kernel. Null when the
 * module cannot be instantiated here or `nFft` is not a power of two >= 2.
 */
export function createWasmMelDbKernel(options: MelDbKernelOptions): MelDbKernel | null {
  const { nFft, window, mel } = options;
  if (nFft < 2 || (nFft & (nFft - 1)) !== 0) return null;
  const module = logMelModule();
  if (!module) return null;
  let wasm: LogMelExports;
  try {
    wasm = new WebAssembly.Instance(module, {}).exports as unknown as LogMelExports;
  } catch {
    return null;
  }
  const tables = radix4Tables(nFft);
  const { m } = tables;
  const nMels = mel.start.length;

  // Fixed region: tables and scratch, laid out from the module's heap base.
  let top = align16(wasm.heapBase());
  const take = (bytes: number): number => {
    const at = top;
    top = align16(top + bytes);
    return at;
  };
  const at = {
    window: take(8 * nFft),
    bitrev: take(4 * m),
    stageH: take(4 * tables.stageH.length),
    stageOff: take(4 * tables.stageOff.length),
    tw: take(16 * tables.tw.length),
    split: take(16 * tables.split.length),
    melStart: take(4 * nMels),
    melLen: take(4 * nMels),
    melOff: take(4 * nMels),
    runs: take(8 * Math.max(1, mel.runs.length)),
    z: take(32 * m),
    power: take(16 * (m + 1)),
    basis: take(8 * (options.dct?.basis.length ?? 0)),
    fold: take(32 * ((nMels >> 1) + (nMels & 1))),
  };
  const fixedEnd = top;
  ensure(wasm.memory, fixedEnd);
  const buffer = wasm.memory.buffer;
  new Float64Array(buffer, at.window, nFft).set(window.subarray(0, nFft));
  new Int32Array(buffer, at.bitrev, m).set(tables.bitrev);
  new Int32Array(buffer, at.stageH, tables.stageH.length).set(tables.stageH);
  new Int32Array(buffer, at.stageOff, tables.stageOff.length).set(tables.stageOff);
  // Twiddles and split factors duplicated into both lanes of a v128.
  const tw = new Float64Array(buffer, at.tw, 2 * tables.tw.length);
  for (let i = 0; i < tables.tw.length; i++) tw[2 * i] = tw[2 * i + 1] = tables.tw[i];
  const split = new Float64Array(buffer, at.split, 2 * tables.split.length);
  for (let i = 0; i < tables.split.length; i++) split[2 * i] = split[2 * i + 1] = tables.split[i];
  new Int32Array(buffer, at.melStart, nMels).set(mel.start);
  new Int32Array(buffer, at.melLen, nMels).set(mel.len);
  new Int32Array(buffer, at.melOff, nMels).set(mel.off);
  new Float64Array(buffer, at.runs, mel.runs.length).set(mel.runs);
  if (options.dct) new Float64Array(buffer, at.basis, options.dct.basis.length).set(options.dct.basis);
  wasm.init(
    nFft,
    tables.first,
    tables.stageH.length,
    at.window,
    at.bitrev,
    at.stageH,
    at.stageOff,
    at.tw,
    at.split,
    nMels,
    at.melStart,
    at.melLen,
    at.melOff,
    at.runs,
    at.z,
    at.power,
    options.amin,
    options.scale,
    options.offset,
  );

  // Per call: the dB rows at `fixedEnd`, then the MFCC rows, then the padded signal.
  const nMfcc = options.dct?.nMfcc ?? 0;
  const coefficientsAt = (frames: number): number => align16(fixedEnd + 8 * frames * nMels);
  return {
    engine: 'wasm',
    run(fill, paddedLength, frames, hopLength) {
      const values = fixedEnd;
      const padded = align16(coefficientsAt(frames) + 8 * frames * nMfcc);
      ensure(wasm.memory, padded + 8 * paddedLength);
      fill(new Float64Array(wasm.memory.buffer, padded, paddedLength));
      const max = frames > 0 ? wasm.melDb(padded, hopLength, frames, values) : Number.NEGATIVE_INFINITY;
      return { values: new Float64Array(wasm.memory.buffer, values, frames * nMels), max };
    },
    mfcc(frames, floor) {
      if (!options.dct) throw new Error('mfcc() needs the dct option');
      const out = coefficientsAt(frames);
      wasm.mfcc(fixedEnd, frames, floor, at.basis, nMfcc, at.fold, out);
      return new Float64Array(wasm.memory.buffer, out, frames * nMfcc);
    },
  };
}

function ensure(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}
