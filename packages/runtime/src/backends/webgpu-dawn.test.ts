import { describe, expect, it } from 'vitest';
import type { Tfjs } from '../kernels/kernel-types.js';
import { selectBackend } from './select-backend.js';

/**
 * The real thing: Dawn (the `webgpu` package) on whatever adapter this machine has; on a headless
 * Linux box without a GPU that is Mesa's llvmpipe through OpenGL ES (libegl1, libegl-mesa0,
 * libgl1-mesa-dri). Skipped with a message where it cannot start, except in CI, where it fails.
 */
const webgpu = await selectBackend('webgpu').catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (process.env.CI) throw new Error(`webgpu must initialise in CI: ${message}`);
  console.warn(`skipping the Dawn webgpu test: ${message}`);
  return undefined;
});

/** One SGD step of a 3→2 dense layer with softmax cross-entropy; returns the updated weights. */
async function denseStep(tf: Tfjs): Promise<Float32Array[]> {
  const w = tf.variable(tf.tensor2d([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [3, 2]));
  const b = tf.variable(tf.tensor1d([0.01, -0.02]));
  const x = tf.tensor2d([1, 2, 3, -1, 0.5, 2], [2, 3]);
  const y = tf.tensor2d([1, 0, 0, 1], [2, 2]);
  tf.train.sgd(0.5).minimize(() => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, w), b)) as never);
  // data(), not dataSync(): webgpu in Node cannot read back synchronously.
  const out = [(await w.data()) as Float32Array, (await b.data()) as Float32Array];
  tf.dispose([w, b, x, y]);
  return out;
}

describe.skipIf(!webgpu)('webgpu on Dawn', () => {
  it('activates with its adapter and trains a dense step like cpu', { timeout: 120_000 }, async () => {
    const { tf, adapter } = webgpu!;
    expect(tf.getBackend()).toBe('webgpu');
    expect(adapter?.limits.maxBufferSize).toBeGreaterThan(0);
    console.info(`webgpu adapter: ${JSON.stringify(adapter)}`);
    const onGpu = await denseStep(tf);
    await tf.setBackend('cpu');
    const onCpu = await denseStep(tf);
    for (const [k, values] of onGpu.entries()) {
      expect(values.length).toBe(onCpu[k]!.length);
      for (const [i, v] of values.entries()) expect(v).toBeCloseTo(onCpu[k]![i]!, 5);
    }
    // The step moved the weights at all (a no-op on both would also "agree").
    expect(onCpu[0]![0]).not.toBeCloseTo(0.1, 3);
  });

  it('selects webgpu again in the same process without a second Dawn instance', {
    timeout: 60_000,
  }, async () => {
    // A second Dawn instance in one process aborts Node; the adapter search runs once per process.
    const again = await selectBackend('webgpu');
    expect(again.tf.getBackend()).toBe('webgpu');
    expect(again.adapter).toEqual(webgpu!.adapter);
    expect(Array.from((await again.tf.add(again.tf.tensor1d([1, 2]), 1).data()) as Float32Array)).toEqual([
      2, 3,
    ]);
  });

  it("transposes integer and boolean data of rank 3 exactly (core wraps webgpu's Transpose)", async () => {
    const { tf } = webgpu!;
    await tf.setBackend('webgpu');
    // Large enough that webgpu does not forward the op to its CPU fallback.
    const ints = tf.randomUniform([3, 40, 50], -1000, 1000, 'int32');
    const flags = tf.greater(tf.randomUniform([3, 40, 50]), 0.5);
    const fromBool = tf.cast(flags, 'float32'); // shares the bool buffer on webgpu
    const perm = [2, 0, 1];
    for (const x of [ints, flags, fromBool]) {
      const moved = tf.transpose(x, perm);
      expect(moved.dtype).toBe(x.dtype);
      const [got, source] = [await moved.data(), await x.data()];
      await tf.setBackend('cpu');
      const expected = tf.transpose(tf.tensor(source, x.shape, x.dtype), perm);
      expect(Array.from(got)).toEqual(Array.from(await expected.data()));
      expected.dispose();
      await tf.setBackend('webgpu');
      moved.dispose();
    }
    tf.dispose([ints, flags, fromBool]);
  });
});
