import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { accurateReductionKernel } from './accurate-reductions.js';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input.js';
import {
  depthwiseConv2dBackpropFilterKernel,
  depthwiseConv2dBackpropInputKernel,
} from './depthwise-conv2d-backprop.js';
import type { KernelConfig, Tfjs } from './kernel-types.js';
import { maxPoolGradKernel } from './max-pool-grad.js';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum.js';

/**
 * The wasm kernels omnifuse provides, found by training each common layer type one step on
 * tfjs-backend-wasm 4.22 and comparing gradients with the cpu backend:
 * - missing: Conv2DBackpropFilter (weights of conv2d, conv1d, conv2dTranspose, separable pointwise),
 *   DepthwiseConv2dNative{BackpropFilter,BackpropInput} (depthwise/separable conv),
 *   UnsortedSegmentSum (gradient of gather: embedding layers);
 * - wrong: MaxPoolGrad (wasm's drops or misroutes the gradient of windows whose values are <= 0);
 * - slow: Conv2DBackpropInput (input gradient of conv2d: wasm's is scalar C++; ours, WebAssembly
 *   SIMD, is 2-11x faster on the LF LeNet's layers, bench/cnn-wasm-kernels.mjs);
 * - inaccurate: Sum and Mean of float32 (wasm's accumulate in float32: over the ~500,000 values of a
 *   first conv layer's batch-norm statistics and gradient sums they lose 4-5 digits, and where the
 *   terms cancel the batch-norm gradient came out tens of percent off PyTorch's and cpu's; ours
 *   accumulate in float64, as cpu does — found by the accuracy-parity lockstep, bench/README.md).
 */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'MaxPoolGrad',
  'Conv2DBackpropInput',
  'Sum',
  'Mean',
] as const;
export type WasmTrainingKernel = (typeof WASM_TRAINING_KERNELS)[number];

// Marks our kernel functions, so a second call (even from another copy of omnifuse) is a no-op.
const ours = Symbol.for('omnifuse.wasmTrainingKernel');

interface Provided {
  config: KernelConfig;
  /** Replace wasm's own kernel; otherwise ours only fills a gap and defers to a built-in one. */
  replacesBuiltIn: boolean;
}

function provided(tf: Tfjs): Provided[] {
  return [
    { config: conv2dBackpropFilterKernel(tf), replacesBuiltIn: false },
    { config: depthwiseConv2dBackpropFilterKernel(tf), replacesBuiltIn: false },
    { config: depthwiseConv2dBackpropInputKernel(tf), replacesBuiltIn: false },
    { config: unsortedSegmentSumKernel(), replacesBuiltIn: false },
    { config: maxPoolGradKernel(tf), replacesBuiltIn: true },
    { config: conv2dBackpropInputKernel(tf), replacesBuiltIn: true },
    { config: accurateReductionKernel(tf, 'Sum'), replacesBuiltIn: true },
    { config: accurateReductionKernel(tf, 'Mean'), replacesBuiltIn: true },
  ];
}

/**
 * Registers omnifuse's training kernels (plain JS and WebAssembly SIMD) on tfjs's `wasm` backend
 * and returns the names this call registered. Idempotent. A gap-filling kernel defers to one the
 * backend already has (a later tfjs). Pass the app's tfjs namespace so there is one kernel registry.
 * Import `@tensorflow/tfjs-backend-wasm` first: importing it registers its kernels, overwriting ours.
 */
export function registerWasmTrainingKernels(tf: Tfjs): WasmTrainingKernel[] {
  if (tf.findBackendFactory('wasm') === null) {
    throw new OmnifuseError({
      code: ErrorCode.BackendUnavailable,
      message:
        'The tfjs wasm backend is not loaded: import @tensorflow/tfjs-backend-wasm before ' +
        'registerWasmTrainingKernels (importing it later would replace these kernels)',
      details: { package: '@tensorflow/tfjs-backend-wasm' },
    });
  }
  const registered: WasmTrainingKernel[] = [];
  for (const { config, replacesBuiltIn } of provided(tf)) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current !== undefined) {
      if (ours in current.kernelFunc || !replacesBuiltIn) continue;
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    Object.defineProperty(config.kernelFunc, ours, { value: true });
    tf.registerKernel(config);
    registered.push(config.kernelName as WasmTrainingKernel);
  }
  return registered;
}
