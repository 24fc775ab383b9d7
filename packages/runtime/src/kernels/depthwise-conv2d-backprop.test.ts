import { createRng } from '@omnifuse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compareWithCpu,
  type HostTensor,
  loadTfWithWasm,
  randomTensor,
  relativeError,
  runKernelOn,
} from './kernel-test-kit.js';
import type { Tfjs } from './kernel-types.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfWithWasm();
});

const cases: {
  name: string;
  x: number[];
  filter: number[];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
}[] = [
  { name: 'same, stride 1, multiplier 1', x: [2, 8, 8, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same' },
  { name: 'same, stride 1, multiplier 2', x: [2, 7, 6, 4], filter: [3, 3, 4, 2], strides: 1, pad: 'same' },
  { name: 'valid, stride 2, multiplier 3', x: [3, 9, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  {
    name: 'same, stride [2, 1], 2x3 filter',
    x: [2, 8, 7, 5],
    filter: [2, 3, 5, 1],
    strides: [2, 1],
    pad: 'same',
  },
  { name: 'numeric pad 1', x: [1, 6, 5, 3], filter: [3, 3, 3, 2], strides: 1, pad: 1 },
];

function outShape(c: (typeof cases)[number], dilations = 1): number[] {
  return tf.backend_util.computeConv2DInfo(
    c.x as never,
    c.filter as never,
    c.strides,
    dilations,
    c.pad,
    undefined,
    true,
  ).outShape;
}

describe('DepthwiseConv2dNative backprops on wasm', () => {
  for (const c of cases) {
    it(`filter gradient matches cpu: ${c.name}`, async () => {
      const rng = createRng(5);
      const x = randomTensor(rng, c.x, 0.3);
      const dy = randomTensor(rng, outShape(c), 0.3);
      const attrs = { strides: c.strides, pad: c.pad, dilations: 1, filterShape: c.filter };
      const result = await compareWithCpu(tf, 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrs);
      expect(result.shape).toEqual(c.filter);
      expect(result.error).toBeLessThan(1e-4);
    });

    it(`input gradient matches cpu: ${c.name}`, async () => {
      const rng = createRng(6);
      const filter = randomTensor(rng, c.filter);
      const dy = randomTensor(rng, outShape(c), 0.3);
      const attrs = { strides: c.strides, pad: c.pad, dilations: 1, inputShape: c.x };
      const result = await compareWithCpu(tf, 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, attrs);
      expect(result.shape).toEqual(c.x);
      expect(result.error).toBeLessThan(1e-4);
    });
  }

  // tfjs's cpu kernels ignore dilations, so check a dilated filter against cpu's result for the
  // equivalent undilated filter with zeros inserted between taps.
  it('handles dilation 2 like a zero-inserted filter', async () => {
    const rng = createRng(9);
    const [fh, fw, ci, m] = [3, 2, 3, 2];
    const d = 2;
    const [eh, ew] = [(fh - 1) * d + 1, (fw - 1) * d + 1];
    const c = {
      name: 'dilated',
      x: [2, 9, 8, ci],
      filter: [fh, fw, ci, m],
      strides: 1,
      pad: 'valid' as const,
    };
    const x = randomTensor(rng, c.x);
    const dy = randomTensor(rng, outShape(c, d));
    const tap = (h: number, w: number, k: number) => (h * d * ew + w * d) * ci * m + k;

    const wasmFilter = await runKernelOn(
      tf,
      'wasm',
      'DepthwiseConv2dNativeBackpropFilter',
      { x, dy },
      {
        strides: 1,
        pad: 'valid',
        dilations: d,
        filterShape: c.filter,
      },
    );
    const cpuWide = await runKernelOn(
      tf,
      'cpu',
      'DepthwiseConv2dNativeBackpropFilter',
      { x, dy },
      {
        strides: 1,
        pad: 'valid',
        dilations: 1,
        filterShape: [eh, ew, ci, m],
      },
    );
    const expected = new Float32Array(fh * fw * ci * m);
    for (let h = 0; h < fh; h++)
      for (let w = 0; w < fw; w++)
        for (let k = 0; k < ci * m; k++) expected[(h * fw + w) * ci * m + k] = cpuWide.values[tap(h, w, k)];
    expect(relativeError(wasmFilter.values, expected)).toBeLessThan(1e-4);

    const filter = randomTensor(rng, c.filter);
    const wide: HostTensor = { values: new Float32Array(eh * ew * ci * m), shape: [eh, ew, ci, m] };
    for (let h = 0; h < fh; h++)
      for (let w = 0; w < fw; w++)
        for (let k = 0; k < ci * m; k++) wide.values[tap(h, w, k)] = filter.values[(h * fw + w) * ci * m + k];
    const wasmInput = await runKernelOn(
      tf,
      'wasm',
      'DepthwiseConv2dNativeBackpropInput',
      { dy, filter },
      {
        strides: 1,
        pad: 'valid',
        dilations: d,
        inputShape: c.x,
      },
    );
    const cpuInput = await runKernelOn(
      tf,
      'cpu',
      'DepthwiseConv2dNativeBackpropInput',
      { dy, filter: wide },
      {
        strides: 1,
        pad: 'valid',
        dilations: 1,
        inputShape: c.x,
      },
    );
    expect(relativeError(wasmInput.values, cpuInput.values)).toBeLessThan(1e-4);
  });
});
