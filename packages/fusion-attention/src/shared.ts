import type * as tfjs from '@tensorflow/tfjs';

export const PACKAGE_NAME = '@omnifuse/fusion-attention';

/** Concatenates along the last axis; one tensor is returned as is (tfjs rejects a one-input concat). */
export function concatenate(
  tf: typeof tfjs,
  parts: tfjs.SymbolicTensor[],
  name: string,
): tfjs.SymbolicTensor {
  if (parts.length === 1) return parts[0]!;
  return tf.layers.concatenate({ axis: -1, name }).apply(parts) as tfjs.SymbolicTensor;
}
