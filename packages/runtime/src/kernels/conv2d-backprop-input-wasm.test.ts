import { createRng } from '@omnifuse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackpropInputInto, conv2dBackpropInputKernel } from './conv2d-backprop-input.js';
import { CONV2D_BACKPROP_INPUT_WASM_BASE64 } from './conv2d-backprop-input-wasm.generated.js';
import {
  createWasmConv2dBackpropInput,
  wasmConv2dBackpropInputAvailable,
} from './conv2d-backprop-input-wasm.js';
import {
  compareWithCpu,
  loadTfWithWasm,
  randomTensor,
  relativeError,
  replaceKernelDuringSuite,
  runKernelOn,
} from './kernel-test-kit.js';
import { type ConvGeometry, convGeometry, type Tfjs } from './kernel-types.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfWithWasm();
});

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}
const label = (c: Case) =>
  `dx [${c.x}], filter [${c.filter}], strides ${c.strides}, pad ${JSON.stringify(c.pad)}`;

// inChannels 1/3 (vectors over output channels) and 4/16/17 (vectors over input channels, with a
// remainder), outChannels 1/6/7/17, batch 1/3/40, odd sizes, strides 1/2, same/valid/explicit.
const cases: Case[] = [
  { x: [40, 17, 19, 1], filter: [5, 5, 1, 6], strides: 1, pad: 'same' },
  { x: [1, 15, 13, 3], filter: [3, 3, 3, 7], strides: 2, pad: 'valid' },
  { x: [40, 9, 11, 16], filter: [3, 3, 16, 7], strides: 2, pad: 'same' },
  { x: [40, 13, 13, 1], filter: [3, 3, 1, 1], strides: 1, pad: 'valid' },
  { x: [1, 21, 7, 16], filter: [3, 3, 16, 6], strides: [2, 1], pad: 'same' },
  { x: [3, 11, 9, 3], filter: [2, 3, 3, 17], strides: 1, pad: 'same' },
  { x: [3, 10, 9, 17], filter: [3, 2, 17, 17], strides: [1, 2], pad: 'valid' },
  { x: [40, 7, 7, 48], filter: [3, 3, 48, 96], strides: 1, pad: 1 },
  { x: [3, 8, 7, 4], filter: [4, 4, 4, 1], strides: 2, pad: 'same' },
  {
    x: [3, 9, 8, 6],
    filter: [3, 2, 6, 5],
    strides: [2, 1],
    pad: [
      [0, 0],
      [2, 1],
      [0, 1],
      [0, 0],
    ],
  },
];

function attrsOf(c: Case, dataFormat: 'NHWC' | 'NCHW' = 'NHWC') {
  return { strides: c.strides, pad: c.pad, dataFormat, inputShape: c.x };
}

describe('WebAssembly SIMD Conv2DBackpropInput', () => {
  it('is available in Node 20 (the registered kernel uses it)', () => {
    expect(wasmConv2dBackpropInputAvailable()).toBe(true);
  });

  it("replaces wasm's built-in kernel and is what runs (bit for bit)", async () => {
    const kernelFunc = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc as object;
    expect(Symbol.for('omnifuse.wasmTrainingKernel') in kernelFunc).toBe(true);
    const rng = createRng(1);
    const c: Case = { x: [4, 10, 9, 6], filter: [3, 3, 6, 7], strides: 1, pad: 'same' };
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, 1, 1, 'same');
    const dy = randomTensor(rng, info.outShape, 0.5);
    const filter = randomTensor(rng, c.filter);
    const viaTf = await runKernelOn(tf, 'wasm', 'Conv2DBackpropInput', { dy, filter }, attrsOf(c));
    const { simd, js } = bothKernels(dy.values, filter.values, convGeometry(info));
    expect(Array.from(viaTf.values)).toEqual(Array.from(simd));
    // ...and not the float64 JS kernel, which rounds differently somewhere.
    expect(Array.from(viaTf.values)).not.toEqual(Array.from(Float32Array.from(js)));
  });

  for (const [i, c] of cases.entries()) {
    it(`matches cpu through the registered kernel: ${label(c)}`, async () => {
      const rng = createRng(100 + i);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const dy = randomTensor(rng, info.outShape, 0.3);
      const filter = randomTensor(rng, c.filter);
      const result = await compareWithCpu(tf, 'Conv2DBackpropInput', { dy, filter }, attrsOf(c));
      expect(result.shape).toEqual(c.x);
      expect(result.error).toBeLessThan(2e-6);
    });
  }

  it('matches cpu for NCHW (strided dy and dx)', async () => {
    const rng = createRng(3);
    for (const c of [
      { x: [2, 3, 7, 6], filter: [3, 3, 3, 5], strides: 2, pad: 'same' },
      { x: [2, 6, 5, 7], filter: [3, 3, 6, 2], strides: 1, pad: 'valid' },
    ] as Case[]) {
      const info = tf.backend_util.computeConv2DInfo(
        c.x,
        c.filter,
        c.strides,
        1,
        c.pad,
        undefined,
        false,
        'channelsFirst',
      );
      const dy = randomTensor(rng, [info.batchSize, info.outChannels, info.outHeight, info.outWidth]);
      const filter = randomTensor(rng, c.filter);
      const result = await compareWithCpu(tf, 'Conv2DBackpropInput', { dy, filter }, attrsOf(c, 'NCHW'));
      expect(result.error).toBeLessThan(2e-6);
    }
  });

  it('gives the same result after its memory grew for a larger call', () => {
    const rng = createRng(9);
    const small = convGeometry(tf.backend_util.computeConv2DInfo([2, 9, 9, 5], [3, 3, 5, 7], 1, 1, 'same'));
    const large = convGeometry(
      tf.backend_util.computeConv2DInfo([40, 64, 64, 5], [3, 3, 5, 7], 1, 1, 'same'),
    );
    const dys = randomTensor(rng, [2, 9, 9, 7]).values;
    const filter = randomTensor(rng, [3, 3, 5, 7]).values;
    const run = createWasmConv2dBackpropInput();
    if (!run) throw new Error('no wasm SIMD');
    const first = new Float32Array(2 * 9 * 9 * 5);
    expect(run(dys, filter, small, first)).toBe(true);
    const big = new Float32Array(40 * 64 * 64 * 5);
    expect(run(randomTensor(rng, [40, 64, 64, 7]).values, filter, large, big)).toBe(true);
    const again = new Float32Array(first.length);
    run(dys, filter, small, again);
    expect(Array.from(again)).toEqual(Array.from(first));
  });

  it('is the module wasm/conv2d-backprop-input.ts compiles to (run `npm run build:wasm` after editing it)', async () => {
    // @ts-expect-error: a plain .mjs build script without types
    const { compileConv2dBackpropInputWasm } = await import('../../scripts/build-wasm.mjs');
    const fresh: Uint8Array = await compileConv2dBackpropInputWasm();
    expect(Buffer.from(fresh).toString('base64')).toBe(CONV2D_BACKPROP_INPUT_WASM_BASE64);
  }, 60_000);
});

describe('Conv2DBackpropInput with the JS fallback forced', () => {
  replaceKernelDuringSuite(
    () => tf,
    (tf) => conv2dBackpropInputKernel(tf, { engine: 'js' }),
  );

  for (const [i, c] of cases.slice(0, 4).entries()) {
    it(`runs the float64 JS kernel and matches cpu: ${label(c)}`, async () => {
      const rng = createRng(300 + i);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const dy = randomTensor(rng, info.outShape, 0.3);
      const filter = randomTensor(rng, c.filter);
      const wasm = await runKernelOn(tf, 'wasm', 'Conv2DBackpropInput', { dy, filter }, attrsOf(c));
      const cpu = await runKernelOn(tf, 'cpu', 'Conv2DBackpropInput', { dy, filter }, attrsOf(c));
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(2e-6);
      // Bit for bit the JS kernel's output: the forced engine really is the fallback.
      const js = new Float32Array(wasm.values.length);
      conv2dBackpropInputInto(dy.values, filter.values, convGeometry(info), js);
      expect(Array.from(wasm.values)).toEqual(Array.from(js));
    });
  }
});

function bothKernels(dy: Float32Array | Int32Array, filter: Float32Array | Int32Array, g: ConvGeometry) {
  const size = g.batch * g.inHeight * g.inWidth * g.inChannels;
  const js = new Float64Array(size);
  conv2dBackpropInputInto(dy, filter, g, js);
  const simd = new Float32Array(size);
  const run = createWasmConv2dBackpropInput();
  if (!run?.(dy, filter, g, simd)) throw new Error('the wasm SIMD kernel did not run');
  return { simd, js };
}
