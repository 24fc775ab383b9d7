import { createRng } from '@omnifuse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithCpu, loadTfWithWasm, randomTensor, runKernelOn } from './kernel-test-kit.js';
import type { Tfjs } from './kernel-types.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfWithWasm();
});

const cases: {
  name: string;
  x: number[];
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
}[] = [
  { name: '2x2 stride 2 valid', x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid' },
  { name: '2x2 stride 2 same, odd size', x: [2, 7, 7, 4], filterSize: 2, strides: 2, pad: 'same' },
  { name: '3x3 stride 2 same (overlapping)', x: [2, 9, 8, 2], filterSize: 3, strides: 2, pad: 'same' },
  { name: '3x3 stride 1 valid', x: [1, 6, 6, 5], filterSize: 3, strides: 1, pad: 'valid' },
  {
    name: 'pooling1d as [2, 1] windows',
    x: [3, 10, 1, 4],
    filterSize: [2, 1],
    strides: [2, 1],
    pad: 'valid',
  },
  { name: 'numeric pad 1', x: [2, 5, 6, 3], filterSize: 3, strides: 2, pad: 1 },
];

describe('MaxPoolGrad on wasm', () => {
  for (const c of cases) {
    it(`matches cpu on inputs of both signs: ${c.name}`, async () => {
      const rng = createRng(13);
      // Real-valued inputs (not post-ReLU): wasm's built-in kernel fails on windows that are all <= 0.
      const input = randomTensor(rng, c.x);
      const info = tf.backend_util.computePool2DInfo(c.x as never, c.filterSize, c.strides, 1, c.pad);
      const dy = randomTensor(rng, info.outShape);
      const output = await runKernelOn(
        tf,
        'cpu',
        'MaxPool',
        { x: input },
        { filterSize: c.filterSize, strides: c.strides, pad: c.pad },
      );
      const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
      const result = await compareWithCpu(tf, 'MaxPoolGrad', { dy, input, output }, attrs);
      expect(result.shape).toEqual(c.x);
      expect(result.error).toBeLessThan(1e-6);
    });
  }

  it('routes each window to its first maximum, including all-negative windows and ties', async () => {
    // Three 2x2 windows: [-4 -3 / -2 -1], [2 2 / 1 1], [0 0 / 0 0].
    const input = {
      values: Float32Array.from([-4, -3, 2, 2, 0, 0, -2, -1, 1, 1, 0, 0]),
      shape: [1, 2, 6, 1],
    };
    const dy = { values: Float32Array.from([1, 10, 100]), shape: [1, 1, 3, 1] };
    const output = { values: Float32Array.from([-1, 2, 0]), shape: [1, 1, 3, 1] };
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const wasm = await runKernelOn(tf, 'wasm', 'MaxPoolGrad', { dy, input, output }, attrs);
    const cpu = await runKernelOn(tf, 'cpu', 'MaxPoolGrad', { dy, input, output }, attrs);
    expect(Array.from(wasm.values)).toEqual([0, 0, 10, 0, 100, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
  });
});
