import { createRng } from '@omnifuse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithCpu, loadTfWithWasm, randomTensor, runKernelOn } from './kernel-test-kit.js';
import type { Tfjs } from './kernel-types.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfWithWasm();
});

describe('UnsortedSegmentSum on wasm', () => {
  for (const [rows, rowShape, numSegments] of [
    [50, [8], 20],
    [7, [3, 4], 3],
    [30, [], 5],
  ] as const) {
    it(`matches cpu: ${rows} rows of [${rowShape}] into ${numSegments} segments`, async () => {
      const rng = createRng(rows);
      const x = randomTensor(rng, [rows, ...rowShape]);
      // Repeated ids, as in an embedding lookup of a batch of token sequences.
      const ids = Int32Array.from({ length: rows }, () => rng.int(numSegments));
      const segmentIds = { values: ids, shape: [rows], dtype: 'int32' as const };
      const result = await compareWithCpu(tf, 'UnsortedSegmentSum', { x, segmentIds }, { numSegments });
      expect(result.shape).toEqual([numSegments, ...rowShape]);
      expect(result.shape).toEqual(result.cpuShape);
      expect(result.error).toBeLessThan(1e-5);
    });
  }

  it('drops ids outside [0, numSegments) and sums int32 exactly', async () => {
    const x = { values: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), shape: [4, 2], dtype: 'int32' as const };
    const segmentIds = { values: Int32Array.from([2, -1, 0, 2]), shape: [4], dtype: 'int32' as const };
    const wasm = await runKernelOn(tf, 'wasm', 'UnsortedSegmentSum', { x, segmentIds }, { numSegments: 3 });
    const cpu = await runKernelOn(tf, 'cpu', 'UnsortedSegmentSum', { x, segmentIds }, { numSegments: 3 });
    expect(Array.from(wasm.values)).toEqual([5, 6, 0, 0, 8, 10]);
    expect(Array.from(wasm.values)).toEqual(Array.from(cpu.values));
  });

  it('gives the gradient of gather (an embedding lookup) that cpu gives', async () => {
    const grads: number[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const table = tf.tensor2d(
        Array.from({ length: 12 }, (_, i) => i / 10),
        [6, 2],
      );
      const ids = tf.tensor2d([0, 5, 5, 2, 0, 0], [2, 3], 'int32');
      const g = tf.grad((t: import('@tensorflow/tfjs').Tensor) => tf.sum(tf.gather(t, ids).square()))(table);
      grads.push(Array.from(g.dataSync()));
      tf.dispose([table, ids, g]);
    }
    expect(grads[1]).toEqual(grads[0]);
  });
});
