import { createRng } from '@omnifuse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackpropFilterInto, conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { CONV2D_BACKPROP_FILTER_WASM_BASE64 } from './conv2d-backprop-filter-wasm.generated.js';
import {
  createWasmConv2dBackpropFilter,
  wasmConv2dBackpropFilterAvailable,
} from './conv2d-backprop-filter-wasm.js';
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

type Pad = 'same' | 'valid';
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dilation?: number;
}
const label = (c: Case) =>
  `x [${c.x}], filter [${c.filter}], strides ${c.strides}, ${c.pad}${c.dilation ? `, dilation ${c.dilation}` : ''}`;

// inChannels 1/3/16, outChannels 1/6/7/17 (not multiples of 4, and the kernel's 4-vector path),
// batch 1 and 40, odd spatial sizes, strides 1/2, same/valid; narrow outputs sum several rows
// (across images) per block, wide ones split a row.
const cases: Case[] = [
  { x: [40, 17, 19, 1], filter: [5, 5, 1, 6], strides: 1, pad: 'same' },
  { x: [1, 15, 13, 3], filter: [3, 3, 3, 7], strides: 2, pad: 'valid' },
  { x: [40, 9, 11, 16], filter: [3, 3, 16, 7], strides: 2, pad: 'same' },
  { x: [40, 13, 13, 1], filter: [3, 3, 1, 1], strides: 1, pad: 'valid' },
  { x: [1, 21, 7, 16], filter: [3, 3, 16, 6], strides: [2, 1], pad: 'same' },
  { x: [3, 11, 9, 3], filter: [2, 3, 3, 17], strides: 1, pad: 'same' },
  { x: [2, 7, 300, 1], filter: [1, 5, 1, 6], strides: 1, pad: 'same' }, // > 128 columns: chunked rows
  { x: [40, 5, 3, 3], filter: [3, 3, 3, 7], strides: 1, pad: 'valid' }, // 1 column: blocks span images
];

describe('WebAssembly SIMD Conv2DBackpropFilter', () => {
  it('is available in Node 20 (the registered kernel uses it)', () => {
    expect(wasmConv2dBackpropFilterAvailable()).toBe(true);
  });

  it('is what the registered kernel runs (bit for bit)', async () => {
    const rng = createRng(1);
    const x = randomTensor(rng, [4, 10, 9, 3], 0.3);
    const info = tf.backend_util.computeConv2DInfo([4, 10, 9, 3], [3, 3, 3, 6], 1, 1, 'same');
    const dy = randomTensor(rng, info.outShape);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 6] };
    const viaTf = await runKernelOn(tf, 'wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
    const { simd, js } = bothKernels(x.values, dy.values, convGeometry(info));
    expect(Array.from(viaTf.values)).toEqual(Array.from(simd));
    // ...and not the JS kernel, whose float64 sums round differently somewhere.
    expect(Array.from(viaTf.values)).not.toEqual(Array.from(Float32Array.from(js)));
  });

  for (const [i, c] of cases.entries()) {
    it(`matches cpu through the registered kernel: ${label(c)}`, async () => {
      const rng = createRng(100 + i);
      const x = randomTensor(rng, c.x, 0.3);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const dy = randomTensor(rng, info.outShape, 0.2);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      const result = await compareWithCpu(tf, 'Conv2DBackpropFilter', { x, dy }, attrs);
      expect(result.shape).toEqual(c.filter);
      // cpu sums in float32 in one long chain; most of this gap is cpu's.
      expect(result.error).toBeLessThan(2e-6);
    });
  }

  // tfjs's conv2d gradient refuses dilations > 1, so dilated and NCHW geometries are checked against
  // the float64 JS kernel directly.
  const direct: (Case & { format?: 'NHWC' | 'NCHW' })[] = [
    ...cases,
    { x: [2, 13, 11, 3], filter: [3, 3, 3, 6], strides: 1, pad: 'same', dilation: 2 },
    { x: [40, 15, 9, 1], filter: [5, 3, 1, 7], strides: 1, pad: 'valid', dilation: 2 },
    { x: [2, 9, 8, 16], filter: [3, 3, 16, 1], strides: 1, pad: 'same', dilation: 2 },
    { x: [2, 3, 9, 7], filter: [3, 3, 3, 6], strides: 2, pad: 'same', format: 'NCHW' },
  ];
  for (const [i, c] of direct.entries()) {
    it(`matches the float64 JS kernel: ${label(c)}${c.format === 'NCHW' ? ', NCHW' : ''}`, () => {
      const rng = createRng(200 + i);
      const format = c.format ?? 'NHWC';
      const info = tf.backend_util.computeConv2DInfo(
        c.x,
        c.filter,
        c.strides,
        c.dilation ?? 1,
        c.pad,
        undefined,
        false,
        format === 'NHWC' ? 'channelsLast' : 'channelsFirst',
      );
      const g = convGeometry(info);
      const x = randomTensor(rng, c.x, 0.3).values;
      const dy = randomTensor(rng, info.outShape, 0.2).values;
      const { simd, js } = bothKernels(x, dy, g);
      expect(relativeError(simd, js)).toBeLessThan(1e-6);
    });
  }

  it('keeps float64 accuracy over 500k terms per weight (LF LeNet audio first layer)', () => {
    const rng = createRng(5);
    const info = tf.backend_util.computeConv2DInfo([40, 112, 112, 1], [5, 5, 1, 6], 1, 1, 2);
    // Non-negative x (after ReLU) and a biased dy: sums grow large, the case that loses digits in f32.
    const x = Float32Array.from({ length: 40 * 112 * 112 }, () => Math.max(0, rng.normal()));
    const dy = Float32Array.from({ length: 40 * 112 * 112 * 6 }, () => 0.1 + rng.normal());
    const { simd, js } = bothKernels(x, dy, convGeometry(info));
    expect(relativeError(simd, js)).toBeLessThan(1e-6);
  }, 30_000);

  it('gives the same result after its memory grew for a larger call', () => {
    const rng = createRng(9);
    const small = convGeometry(tf.backend_util.computeConv2DInfo([2, 9, 9, 3], [3, 3, 3, 7], 1, 1, 'same'));
    const large = convGeometry(
      tf.backend_util.computeConv2DInfo([40, 64, 64, 3], [3, 3, 3, 7], 1, 1, 'same'),
    );
    const xs = randomTensor(rng, [2, 9, 9, 3]).values;
    const dys = randomTensor(rng, [2, 9, 9, 7]).values;
    const run = createWasmConv2dBackpropFilter();
    if (!run) throw new Error('no wasm SIMD');
    const first = new Float32Array(3 * 3 * 3 * 7);
    expect(run(xs, dys, small, first)).toBe(true);
    const big = new Float32Array(3 * 3 * 3 * 7);
    expect(
      run(randomTensor(rng, [40, 64, 64, 3]).values, randomTensor(rng, [40, 64, 64, 7]).values, large, big),
    ).toBe(true);
    const again = new Float32Array(first.length);
    run(xs, dys, small, again);
    expect(Array.from(again)).toEqual(Array.from(first));
  });

  it('is the module wasm/conv2d-backprop-filter.ts compiles to (run `npm run build:wasm` after editing it)', async () => {
    // @ts-expect-error: a plain .mjs build script without types
    const { compileConv2dBackpropFilterWasm } = await import('../../scripts/build-wasm.mjs');
    const fresh: Uint8Array = await compileConv2dBackpropFilterWasm();
    expect(Buffer.from(fresh).toString('base64')).toBe(CONV2D_BACKPROP_FILTER_WASM_BASE64);
  }, 60_000);
});

describe('Conv2DBackpropFilter with the JS fallback forced', () => {
  replaceKernelDuringSuite(
    () => tf,
    (tf) => conv2dBackpropFilterKernel(tf, { engine: 'js' }),
  );

  for (const [i, c] of cases.slice(0, 4).entries()) {
    it(`runs the float64 JS kernel and matches cpu: ${label(c)}`, async () => {
      const rng = createRng(300 + i);
      const x = randomTensor(rng, c.x, 0.3);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const dy = randomTensor(rng, info.outShape, 0.2);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      const wasm = await runKernelOn(tf, 'wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
      const cpu = await runKernelOn(tf, 'cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(2e-6);
      // Bit for bit the JS kernel's output: the forced engine really is the fallback.
      const js = new Float32Array(wasm.values.length);
      conv2dBackpropFilterInto(x.values, dy.values, convGeometry(info), js);
      expect(Array.from(wasm.values)).toEqual(Array.from(js));
    });
  }
});

function bothKernels(x: Float32Array | Int32Array, dy: Float32Array | Int32Array, g: ConvGeometry) {
  const size = g.filterHeight * g.filterWidth * g.inChannels * g.outChannels;
  const js = new Float64Array(size);
  conv2dBackpropFilterInto(x, dy, g, js);
  const simd = new Float32Array(size);
  const run = createWasmConv2dBackpropFilter();
  if (!run?.(x, dy, g, simd)) throw new Error('the wasm SIMD kernel did not run');
  return { simd, js };
}
