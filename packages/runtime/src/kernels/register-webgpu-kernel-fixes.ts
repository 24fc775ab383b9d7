import type { KernelConfig, TensorInfo, Tfjs } from './kernel-types.js';

/**
 * Kernels omnifuse wraps on tfjs-backend-webgpu 4.22, found by its backend parity suite:
 * - Transpose of rank 3+ whose data is stored as integers on the GPU (`int32`, `bool`, and the
 *   `float32` tensors webgpu's Cast makes from them by sharing the buffer) builds a shader that
 *   hands an i32 to a function taking f32 ("type mismatch … setOutputAtIndex"), so every masked
 *   RNN (tfjs transposes its float mask, cast from bool, to time-major) fails, and such a
 *   transpose would be wrong anyway. The fix converts the data to real floats (× 1.0), transposes
 *   those, and casts back to the tensor's dtype: exact for integers up to 2^24 in magnitude (masks,
 *   indices, labels), which covers what layers transpose.
 */
export const WEBGPU_KERNEL_FIXES = ['Transpose'] as const;

const ours = Symbol.for('omnifuse.webgpuKernelFix');

interface WebgpuBackendLike {
  disposeData(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
  tensorMap: { get(dataId: object): { dtype: string } | undefined };
}

/**
 * Wraps the webgpu kernels in `WEBGPU_KERNEL_FIXES` and returns the names this call wrapped.
 * Idempotent. Call after `@tensorflow/tfjs-backend-webgpu` registered its kernels.
 */
export function registerWebgpuKernelFixes(tf: Tfjs): string[] {
  const transpose = tf.getKernel('Transpose', 'webgpu');
  const cast = tf.getKernel('Cast', 'webgpu');
  const multiply = tf.getKernel('Multiply', 'webgpu');
  if (!transpose || !cast || !multiply || (transpose.kernelFunc as { [ours]?: boolean })[ours]) return [];
  const original = transpose.kernelFunc;
  const kernelFunc: KernelConfig['kernelFunc'] = (args) => {
    const x = args.inputs.x as TensorInfo;
    const backend = args.backend as unknown as WebgpuBackendLike;
    const stored = backend.tensorMap.get(x.dataId)?.dtype ?? x.dtype;
    if (x.shape.length < 3 || stored === 'float32' || stored === 'complex64' || stored === 'string') {
      return original(args);
    }
    const one = backend.makeTensorInfo([], 'float32', new Float32Array([1]));
    const floats = multiply.kernelFunc({
      inputs: { a: { ...x, dtype: 'float32' }, b: one },
      backend: args.backend,
      attrs: {},
    }) as TensorInfo;
    const moved = original({ ...args, inputs: { x: floats } }) as TensorInfo;
    backend.disposeData(one.dataId);
    backend.disposeData(floats.dataId);
    if (x.dtype === 'float32') return moved;
    const result = cast.kernelFunc({
      inputs: { x: moved },
      backend: args.backend,
      attrs: { dtype: x.dtype },
    }) as TensorInfo;
    backend.disposeData(moved.dataId);
    return result;
  };
  Object.defineProperty(kernelFunc, ours, { value: true });
  tf.unregisterKernel('Transpose', 'webgpu');
  tf.registerKernel({ ...transpose, kernelFunc });
  return ['Transpose'];
}
