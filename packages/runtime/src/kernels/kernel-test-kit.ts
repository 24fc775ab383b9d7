// Helpers for the kernel tests: run one kernel on cpu and on wasm from the same inputs.

import type { Rng } from '@omnifuse/core';
import { afterAll, beforeAll } from 'vitest';
import { quietCpuBanner } from '../backends/quiet-cpu-banner.js';
import type { KernelConfig, Tfjs } from './kernel-types.js';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels.js';

export interface HostTensor {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype?: 'float32' | 'int32';
}

/**
 * tfjs with the wasm backend loaded and omnifuse's kernels registered. `checkLeaks` turns on tfjs's
 * per-kernel leak check (its IS_TEST flag); it misfires on fused ops with custom gradients, so model
 * training tests turn it off.
 */
export async function loadTfWithWasm(options: { checkLeaks?: boolean } = {}): Promise<Tfjs> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels(tf);
  quietCpuBanner(tf);
  tf.env().set('IS_TEST', options.checkLeaks ?? true);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs-backend-wasm did not initialise');
  return tf;
}

export function randomTensor(rng: Rng, shape: number[], zeroFraction = 0): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.next() < zeroFraction ? 0 : rng.normal();
  return { values, shape };
}

export async function runKernelOn(
  tf: Tfjs,
  backend: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: Record<string, unknown>,
): Promise<{ values: Float32Array | Int32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([name, t]) => [name, tf.tensor(t.values, t.shape, t.dtype ?? 'float32')]),
  );
  const out = tf.engine().runKernel(kernelName, tensors, attrs as never) as import('@tensorflow/tfjs').Tensor;
  const result = { values: out.dataSync() as Float32Array | Int32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

/** Largest |a - b| divided by the largest |b| (the reference), so 1e-4 means "agrees to 4 digits". */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return scale === 0 ? worst : worst / scale;
}

/** Runs the kernel on both backends; returns wasm's output shape and its error relative to cpu. */
export async function compareWithCpu(
  tf: Tfjs,
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: Record<string, unknown>,
): Promise<{ shape: number[]; cpuShape: number[]; error: number }> {
  const cpu = await runKernelOn(tf, 'cpu', kernelName, inputs, attrs);
  const wasm = await runKernelOn(tf, 'wasm', kernelName, inputs, attrs);
  return { shape: wasm.shape, cpuShape: cpu.shape, error: relativeError(wasm.values, cpu.values) };
}

/**
 * For the tests of the calling `describe`: the kernel `make(tf)` returns replaces the one registered
 * under its name and backend (e.g. a kernel with its JS fallback forced), and the original comes back
 * after. `tf` is a getter because suites load tfjs in a `beforeAll`.
 */
export function replaceKernelDuringSuite(tf: () => Tfjs, make: (tf: Tfjs) => KernelConfig): void {
  let replacement: KernelConfig;
  let saved: KernelConfig | undefined;
  beforeAll(() => {
    replacement = make(tf());
    saved = tf().getKernel(replacement.kernelName, replacement.backendName);
    if (saved) tf().unregisterKernel(replacement.kernelName, replacement.backendName);
    tf().registerKernel(replacement);
  });
  afterAll(() => {
    tf().unregisterKernel(replacement.kernelName, replacement.backendName);
    if (saved) tf().registerKernel(saved);
  });
}
