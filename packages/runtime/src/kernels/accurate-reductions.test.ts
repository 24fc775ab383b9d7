import { createRng } from '@omnifuse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { reduceSumInto } from './accurate-reductions.js';
import { loadTfWithWasm, replaceKernelDuringSuite } from './kernel-test-kit.js';
import type { KernelConfig, TensorInfo, Tfjs, WasmHeapBackend } from './kernel-types.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfWithWasm({ checkLeaks: false });
});

/** The float64 sums of `x` over `axes`, by the definition (each element to its kept coordinates). */
function referenceSums(x: Float32Array, shape: number[], axes: number[]): Float64Array {
  const keptDims = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const out = new Float64Array(keptDims.reduce((p, d) => p * shape[d]!, 1));
  const index = new Array(shape.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (const d of keptDims) o = o * shape[d]! + index[d];
    out[o] += x[i]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/**
 * A float32 Sum/Mean for wasm that adds each output's values in order, rounding every partial sum to
 * float32 — the arithmetic of tfjs-backend-wasm 4.22's own kernels (they transpose the reduced axes
 * innermost and add them in a float accumulator).
 */
function float32Reduction(t: Tfjs, kernelName: 'Sum' | 'Mean'): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: TensorInfo };
      const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const axes = t.util.parseAxisParam(axis, x.shape);
      const [kept, reduceShape] = t.backend_util.computeOutAndReduceShapes(x.shape, axes);
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput(
        keepDims ? t.backend_util.expandShapeToKeepDim(kept, axes) : kept,
        'float32',
      );
      const values = wasm.typedArrayFromHeap(x) as Float32Array;
      const keptDims = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
      const sums = new Float32Array(t.util.sizeFromShape(kept));
      const index = new Array(x.shape.length).fill(0);
      for (let i = 0; i < values.length; i++) {
        let o = 0;
        for (const d of keptDims) o = o * x.shape[d]! + index[d];
        sums[o] = Math.fround(sums[o]! + values[i]!);
        for (let d = x.shape.length - 1; d >= 0; d--) {
          if (++index[d] < x.shape[d]!) break;
          index[d] = 0;
        }
      }
      const scale = kernelName === 'Mean' ? 1 / t.util.sizeFromShape(reduceShape) : 1;
      (wasm.typedArrayFromHeap(out) as Float32Array).set(sums.map((v) => v * scale));
      return out;
    },
  };
}

/** Values whose sums cancel: large terms of both signs around a small true total. */
function cancelling(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => (rng.next() < 0.5 ? -1 : 1) * 1000 + rng.normal());
}

describe('reduceSumInto', () => {
  const shape = [3, 4, 5, 6];
  const x = cancelling(3 * 4 * 5 * 6, 1);
  for (const axes of [[], [0], [3], [1, 2], [0, 1, 2], [0, 2], [1, 3], [0, 3], [0, 1, 2, 3]]) {
    it(`sums over [${axes}] as the definition does, rounded once to float32`, () => {
      const expected = referenceSums(x, shape, axes);
      const out = new Float32Array(expected.length);
      reduceSumInto(x, shape, axes, out);
      expect(Array.from(out)).toEqual(Array.from(expected, Math.fround));
    });
  }

  it('scales (a mean) after summing, sums a scalar to itself and an empty axis to 0', () => {
    const out = new Float32Array(6);
    reduceSumInto(x, shape, [0, 1, 2], out, 1 / 60);
    const sums = referenceSums(x, shape, [0, 1, 2]);
    expect(Array.from(out)).toEqual(Array.from(sums, (s) => Math.fround(s / 60)));
    const scalar = new Float32Array(1);
    reduceSumInto(Float32Array.of(2.5), [], [], scalar);
    expect(scalar[0]).toBe(2.5);
    const empty = Float32Array.of(9, 9);
    reduceSumInto(new Float32Array(0), [2, 0], [1], empty);
    expect(Array.from(empty)).toEqual([0, 0]);
  });
});

describe('Sum and Mean on wasm', () => {
  it('are omnifuse’s, and keep the exact float64 total of 500,000 cancelling float32 values', () => {
    for (const name of ['Sum', 'Mean']) {
      const kernelFunc = tf.getKernel(name, 'wasm')?.kernelFunc as object;
      expect(Symbol.for('omnifuse.wasmTrainingKernel') in kernelFunc).toBe(true);
    }
    // A first conv layer's batch-norm statistics: 40 × 112 × 112 positions, per channel.
    const shape = [40, 112, 112, 2];
    const values = cancelling(40 * 112 * 112 * 2, 2);
    const exact = referenceSums(values, shape, [0, 1, 2]);
    const x = tf.tensor(values, shape);
    const sum = tf.sum(x, [0, 1, 2]);
    const mean = tf.mean(x, [0, 1, 2], true);
    expect(Array.from(sum.dataSync())).toEqual(Array.from(exact, Math.fround));
    // Adding in order in float32 (wasm's own kernels) is off by hundreds of float32 ulps here.
    const inOrder = [0, 0];
    values.forEach((v, i) => {
      inOrder[i % 2] = Math.fround(inOrder[i % 2]! + v);
    });
    expect(Math.abs(inOrder[0]! - exact[0]!)).toBeGreaterThan(100 * 2 ** -23 * Math.abs(exact[0]!));
    expect(mean.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(mean.dataSync())).toEqual(Array.from(exact, (s) => Math.fround(s / (40 * 112 * 112))));
    tf.dispose([x, sum, mean]);
  });

  it('agree with cpu on every axis set, keepDims included', async () => {
    const rng = createRng(3);
    const shape = [4, 7, 5, 3];
    const values = Float32Array.from({ length: 4 * 7 * 5 * 3 }, () => rng.normal());
    for (const axis of [0, -1, [1, 2], [0, 3], [0, 1, 2, 3], [2, 0]]) {
      for (const keepDims of [false, true]) {
        for (const op of ['sum', 'mean'] as const) {
          const results: { shape: number[]; values: number[] }[] = [];
          for (const backend of ['cpu', 'wasm']) {
            await tf.setBackend(backend);
            const x = tf.tensor(values, shape);
            const y = tf[op](x, axis, keepDims);
            results.push({ shape: y.shape, values: Array.from(y.dataSync()) });
            tf.dispose([x, y]);
          }
          expect(results[1]!.shape).toEqual(results[0]!.shape);
          results[1]!.values.forEach((v, i) => {
            expect(v).toBeCloseTo(results[0]!.values[i]!, 5);
          });
        }
      }
    }
    await tf.setBackend('wasm');
  });

  it('leave int32 sums and means to wasm’s own kernels', () => {
    const x = tf.tensor(
      [
        [1, 2, 3],
        [4, 5, 7],
      ],
      [2, 3],
      'int32',
    );
    const sum = tf.sum(x, 1);
    const mean = tf.mean(x, 0);
    expect(sum.dtype).toBe('int32');
    expect(Array.from(sum.dataSync())).toEqual([6, 16]);
    expect(Array.from(mean.dataSync())).toEqual([2.5, 3.5, 5]);
    tf.dispose([x, sum, mean]);
  });
});

/**
 * The gradients of a training-mode batch norm (statistics from the batch, as tfjs-layers computes
 * them) over a first conv layer's activations, 40 × 112 × 112 × 2: with respect to the input and
 * the scale.
 */
async function batchNormGradients(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const rng = createRng(4);
  const shape = [40, 112, 112, 2];
  const size = 40 * 112 * 112 * 2;
  const x = tf.tensor(
    Float32Array.from({ length: size }, () => 0.3 * rng.normal() + 0.5),
    shape,
  );
  const r = tf.tensor(
    Float32Array.from({ length: size }, () => rng.normal()),
    shape,
  );
  const gamma = tf.ones([2]);
  const beta = tf.zeros([2]);
  const loss = (input: import('@tensorflow/tfjs').Tensor, scale: import('@tensorflow/tfjs').Tensor) => {
    const { mean, variance } = tf.moments(input, [0, 1, 2]);
    return tf.sum(tf.mul(tf.batchNorm(input, mean, variance, beta, scale, 1e-5), r));
  };
  const grads = tf.grads(loss)([x, gamma]);
  const out = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([x, r, gamma, beta, ...grads]);
  return out;
}

function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff / norm);
}

describe('batch-norm gradients over a first conv layer on wasm', () => {
  it('match cpu’s to float32 rounding (both sum in float64)', async () => {
    const cpu = await batchNormGradients('cpu');
    const wasm = await batchNormGradients('wasm');
    for (let i = 0; i < cpu.length; i++) expect(relativeDifference(wasm[i]!, cpu[i]!)).toBeLessThan(1e-6);
  });

  describe('with Sum and Mean accumulating in float32 in order, as wasm’s own do', () => {
    replaceKernelDuringSuite(
      () => tf,
      (t) => float32Reduction(t, 'Sum'),
    );
    replaceKernelDuringSuite(
      () => tf,
      (t) => float32Reduction(t, 'Mean'),
    );
    it('do not (why omnifuse replaces them)', async () => {
      const cpu = await batchNormGradients('cpu');
      const wasm = await batchNormGradients('wasm');
      expect(relativeDifference(wasm[0]!, cpu[0]!)).toBeGreaterThan(1e-5);
    });
  });
});
