import { createRng } from '@omnifuse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithCpu, loadTfWithWasm, randomTensor } from './kernel-test-kit.js';
import type { Tfjs } from './kernel-types.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfWithWasm();
});

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

const cases: { name: string; x: number[]; filter: number[]; strides: number | [number, number]; pad: Pad }[] =
  [
    { name: 'same, stride 1', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
    {
      name: 'valid, stride 1, one input channel',
      x: [3, 9, 7, 1],
      filter: [3, 3, 1, 8],
      strides: 1,
      pad: 'valid',
    },
    { name: 'valid, stride 2', x: [2, 9, 9, 5], filter: [3, 3, 5, 2], strides: 2, pad: 'valid' },
    {
      name: 'same, stride [2, 3], 2x4 filter',
      x: [2, 10, 11, 4],
      filter: [2, 4, 4, 6],
      strides: [2, 3],
      pad: 'same',
    },
    { name: 'numeric pad 1', x: [1, 6, 6, 2], filter: [3, 3, 2, 3], strides: 1, pad: 1 },
    {
      name: 'explicit asymmetric pads',
      x: [2, 7, 6, 3],
      filter: [3, 2, 3, 4],
      strides: [1, 2],
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
    },
    { name: '1x1 filter (pointwise)', x: [2, 5, 5, 6], filter: [1, 1, 6, 3], strides: 1, pad: 'valid' },
  ];

describe('Conv2DBackpropFilter on wasm', () => {
  for (const c of cases) {
    it(`matches cpu: ${c.name}`, async () => {
      const rng = createRng(7);
      const x = randomTensor(rng, c.x, 0.3);
      // dy's shape is what conv2d of x with this filter produces.
      const info = tf.backend_util.computeConv2DInfo(c.x as never, c.filter as never, c.strides, 1, c.pad);
      const dy = randomTensor(rng, info.outShape, 0.5);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      const result = await compareWithCpu(tf, 'Conv2DBackpropFilter', { x, dy }, attrs);
      expect(result.shape).toEqual(c.filter);
      expect(result.error).toBeLessThan(2e-6);
    });
  }

  it('matches cpu in both loop orders (dense x with sparse dy, and the reverse)', async () => {
    const rng = createRng(11);
    for (const [xZeros, dyZeros] of [
      [0, 0.9],
      [0.9, 0],
    ]) {
      const x = randomTensor(rng, [2, 8, 8, 16], xZeros);
      const dy = randomTensor(rng, [2, 8, 8, 4], dyZeros);
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 4] };
      const result = await compareWithCpu(tf, 'Conv2DBackpropFilter', { x, dy }, attrs);
      expect(result.error).toBeLessThan(2e-6);
    }
  });

  it('matches cpu for NCHW', async () => {
    const rng = createRng(3);
    const x = randomTensor(rng, [2, 3, 7, 6]);
    const dy = randomTensor(rng, [2, 4, 4, 3]);
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] };
    const result = await compareWithCpu(tf, 'Conv2DBackpropFilter', { x, dy }, attrs);
    expect(result.error).toBeLessThan(2e-6);
  });
});
