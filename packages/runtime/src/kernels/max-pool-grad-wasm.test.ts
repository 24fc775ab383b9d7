import type { Rng } from '@omnifuse/core';
import { createRng } from '@omnifuse/core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type HostTensor, loadTfWithWasm, replaceKernelDuringSuite, runKernelOn } from './kernel-test-kit.js';
import type { Tfjs } from './kernel-types.js';
import { maxPoolGradInto, maxPoolGradKernel, type PoolGeometry } from './max-pool-grad.js';
import { MAX_POOL_GRAD_WASM_BASE64 } from './max-pool-grad-wasm.generated.js';
import { createWasmMaxPoolGrad, wasmMaxPoolGradAvailable } from './max-pool-grad-wasm.js';

// Counts the SIMD kernel's runs, so a test can tell which engine the registered kernel used (both
// give the same bits).
const simdRuns = vi.hoisted(() => ({ count: 0 }));
vi.mock('./max-pool-grad-wasm.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./max-pool-grad-wasm.js')>();
  return {
    ...original,
    createWasmMaxPoolGrad: () => {
      const run = original.createWasmMaxPoolGrad();
      return (
        run &&
        ((...args: Parameters<typeof run>) => {
          simdRuns.count++;
          return run(...args);
        })
      );
    },
  };
});

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfWithWasm();
});

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];
type Values = 'normal' | 'ties' | 'negative';
interface Case {
  x: [number, number, number, number];
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  values: Values;
}
const label = (c: Case) =>
  `x [${c.x}], filter ${c.filterSize}, strides ${c.strides}, pad ${JSON.stringify(c.pad)}` +
  `${c.dimRoundingMode ? `, ${c.dimRoundingMode}` : ''}, ${c.values} values`;

// Channels 1/3 (scalar only), 4/12 (whole vectors), 6/7 (vectors and a scalar remainder); batch
// 1/40; odd sizes; 2×2/s2 and 3×3/s2 same and valid; ties (small integers) and all-negative inputs.
const cases: Case[] = [
  { x: [40, 14, 14, 6], filterSize: 2, strides: 2, pad: 'valid', values: 'normal' },
  { x: [40, 7, 7, 12], filterSize: 2, strides: 2, pad: 'same', values: 'ties' },
  { x: [1, 9, 11, 1], filterSize: 2, strides: 2, pad: 'valid', values: 'negative' },
  { x: [1, 13, 9, 3], filterSize: 3, strides: 2, pad: 'same', values: 'ties' },
  { x: [40, 9, 9, 4], filterSize: 3, strides: 2, pad: 'valid', values: 'negative' },
  { x: [1, 11, 13, 7], filterSize: 3, strides: 2, pad: 'same', values: 'normal' },
  { x: [40, 5, 7, 7], filterSize: 2, strides: 2, pad: 'same', values: 'negative' },
  { x: [1, 15, 15, 12], filterSize: 3, strides: 2, pad: 'valid', values: 'ties' },
  { x: [40, 7, 9, 1], filterSize: 3, strides: 2, pad: 'same', values: 'normal' },
  { x: [1, 10, 10, 4], filterSize: 2, strides: 2, pad: 'same', values: 'ties' },
  { x: [40, 8, 6, 3], filterSize: 2, strides: 2, pad: 'valid', values: 'normal' },
  { x: [1, 9, 7, 6], filterSize: 3, strides: 2, pad: 'same', values: 'ties' },
  { x: [3, 10, 1, 5], filterSize: [2, 1], strides: [2, 1], pad: 'valid', values: 'negative' },
  { x: [2, 9, 8, 6], filterSize: [3, 2], strides: [2, 1], pad: 1, dimRoundingMode: 'ceil', values: 'ties' },
  {
    x: [2, 8, 9, 5],
    filterSize: 3,
    strides: 2,
    pad: [
      [0, 0],
      [2, 1],
      [0, 1],
      [0, 0],
    ],
    values: 'negative',
  },
];

function inputOf(rng: Rng, shape: number[], values: Values): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    if (values === 'ties')
      x[i] = Math.floor(rng.next() * 4) - 2; // -2..1: many equal values, many <= 0
    else if (values === 'negative') x[i] = -Math.abs(rng.normal()) - 0.01;
    else x[i] = rng.normal();
  }
  return { values: x, shape };
}

function attrsOf(c: Case) {
  return { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode };
}

function infoOf(c: Case) {
  return tf.backend_util.computePool2DInfo(
    c.x,
    c.filterSize,
    c.strides,
    1,
    c.pad as never,
    c.dimRoundingMode,
  );
}

function geometryOf(c: Case): PoolGeometry {
  const info = infoOf(c);
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** wasm's and cpu's MaxPoolGrad on the same seeded inputs, and how many SIMD runs that took. */
async function bothBackends(c: Case, seed: number) {
  const rng = createRng(seed);
  const input = inputOf(rng, c.x, c.values);
  const dy: HostTensor = inputOf(rng, infoOf(c).outShape, 'normal');
  const output = await runKernelOn(tf, 'cpu', 'MaxPool', { x: input }, attrsOf(c));
  const before = simdRuns.count;
  const wasm = await runKernelOn(tf, 'wasm', 'MaxPoolGrad', { dy, input, output }, attrsOf(c));
  const runs = simdRuns.count - before;
  const cpu = await runKernelOn(tf, 'cpu', 'MaxPoolGrad', { dy, input, output }, attrsOf(c));
  return { input, dy, wasm, cpu, runs };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('WebAssembly SIMD MaxPoolGrad', () => {
  it('is available in Node 20 (the registered kernel uses it)', () => {
    expect(wasmMaxPoolGradAvailable()).toBe(true);
  });

  it('is the registered kernel and what runs', async () => {
    const kernelFunc = tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc as object;
    expect(Symbol.for('omnifuse.wasmTrainingKernel') in kernelFunc).toBe(true);
    const c = cases[1];
    const { input, dy, wasm, runs } = await bothBackends(c, 1);
    expect(runs).toBe(1);
    // Bit for bit the standalone SIMD kernel's output.
    const simd = new Float32Array(input.values.length);
    expect(createWasmMaxPoolGrad()?.(input.values, dy.values, geometryOf(c), simd)).toBe(true);
    expect(Array.from(wasm.values)).toEqual(Array.from(simd));
  });

  for (const [i, c] of cases.entries()) {
    it(`matches cpu through the registered kernel: ${label(c)}`, async () => {
      const { wasm, cpu, runs } = await bothBackends(c, 100 + i);
      expect(runs).toBe(1);
      expect(wasm.shape).toEqual(c.x);
      expect(maxAbsDiff(wasm.values, cpu.values)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('routes each window to its first maximum, including all-negative windows and ties', () => {
    // Three 2x2 windows: [-4 -3 / -2 -1], [2 2 / 1 1], [0 0 / 0 0], repeated over 5 channels (a
    // vector and a scalar remainder), channel k's dy scaled by k + 1.
    const plane = [-4, -3, 2, 2, 0, 0, -2, -1, 1, 1, 0, 0];
    const c = 5;
    const x = Float32Array.from(plane.flatMap((v) => new Array<number>(c).fill(v)));
    const dy = Float32Array.from(
      [1, 10, 100].flatMap((v) => Array.from({ length: c }, (_, k) => v * (k + 1))),
    );
    const g: PoolGeometry = {
      ...geometryOf({ x: [1, 2, 6, c], filterSize: 2, strides: 2, pad: 'valid', values: 'normal' }),
    };
    const dx = new Float32Array(x.length);
    expect(createWasmMaxPoolGrad()?.(x, dy, g, dx)).toBe(true);
    const expected = [0, 0, 10, 0, 100, 0, 0, 1, 0, 0, 0, 0];
    for (let k = 0; k < c; k++) {
      expect(Array.from({ length: plane.length }, (_, i) => dx[i * c + k])).toEqual(
        expected.map((v) => v * (k + 1)),
      );
    }
  });

  it('gives no gradient to windows of only NaN or -Infinity, as the JS kernel', () => {
    const g = geometryOf({ x: [1, 2, 4, 4], filterSize: 2, strides: 2, pad: 'valid', values: 'normal' });
    const x = new Float32Array(32).fill(Number.NaN);
    for (let i = 16; i < 32; i++) x[i] = i % 2 ? Number.NEGATIVE_INFINITY : Number.NaN;
    x[5] = 3; // channel 1 of the first window has one number
    const dy = Float32Array.from({ length: 8 }, (_, i) => i + 1);
    const simd = new Float32Array(32);
    const js = new Float32Array(32);
    expect(createWasmMaxPoolGrad()?.(x, dy, g, simd)).toBe(true);
    maxPoolGradInto(x, dy, g, js);
    expect(Array.from(simd)).toEqual(Array.from(js));
    expect(simd.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('gives the same result after its memory grew for a larger call', () => {
    const rng = createRng(9);
    const small: Case = { x: [2, 9, 9, 6], filterSize: 3, strides: 2, pad: 'same', values: 'ties' };
    const large: Case = { x: [40, 56, 56, 12], filterSize: 2, strides: 2, pad: 'valid', values: 'normal' };
    const run = createWasmMaxPoolGrad();
    if (!run) throw new Error('no wasm SIMD');
    const x = inputOf(rng, small.x, 'ties').values;
    const dy = inputOf(rng, infoOf(small).outShape, 'normal').values;
    const first = new Float32Array(x.length);
    expect(run(x, dy, geometryOf(small), first)).toBe(true);
    const big = new Float32Array(40 * 56 * 56 * 12);
    const bigX = inputOf(rng, large.x, 'normal').values;
    expect(run(bigX, inputOf(rng, infoOf(large).outShape, 'normal').values, geometryOf(large), big)).toBe(
      true,
    );
    const again = new Float32Array(x.length);
    run(x, dy, geometryOf(small), again);
    expect(Array.from(again)).toEqual(Array.from(first));
  });

  it('is the module wasm/max-pool-grad.ts compiles to (run `npm run build:wasm` after editing it)', async () => {
    // @ts-expect-error: a plain .mjs build script without types
    const { compileMaxPoolGradWasm } = await import('../../scripts/build-wasm.mjs');
    const fresh: Uint8Array = await compileMaxPoolGradWasm();
    expect(Buffer.from(fresh).toString('base64')).toBe(MAX_POOL_GRAD_WASM_BASE64);
  }, 60_000);
});

describe('MaxPoolGrad with the JS fallback forced', () => {
  replaceKernelDuringSuite(
    () => tf,
    (tf) => maxPoolGradKernel(tf, { engine: 'js' }),
  );

  for (const [i, c] of cases.slice(0, 6).entries()) {
    it(`runs the JS kernel and matches cpu: ${label(c)}`, async () => {
      const { input, dy, wasm, cpu, runs } = await bothBackends(c, 300 + i);
      expect(runs).toBe(0);
      expect(maxAbsDiff(wasm.values, cpu.values)).toBeLessThanOrEqual(1e-6);
      const js = new Float32Array(wasm.values.length);
      maxPoolGradInto(input.values, dy.values, geometryOf(c), js);
      expect(Array.from(wasm.values)).toEqual(Array.from(js));
    });
  }
});
