import { ErrorCode, type FusionInput, OmnifuseError } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';

export const PACKAGE_NAME = '@omnifuse/fusion-attention';

/** Fails the `build` step of plugin `id` when there is nothing to fuse. */
export function requireInputs(id: string, inputs: readonly FusionInput[]): void {
  if (inputs.length > 0) return;
  throw new OmnifuseError({
    code: ErrorCode.InvalidConfig,
    message: 'fusion needs at least one input',
    plugin: id,
    step: 'build',
    expected: 'one or more inputs',
    found: 0,
  });
}

/** Concatenates along the last axis; one tensor is returned as is (tfjs rejects a one-input concat). */
export function concatenate(
  tf: typeof tfjs,
  parts: tfjs.SymbolicTensor[],
  name: string,
): tfjs.SymbolicTensor {
  if (parts.length === 1) return parts[0]!;
  return tf.layers.concatenate({ axis: -1, name }).apply(parts) as tfjs.SymbolicTensor;
}
