import { fusedBatchNormGrad } from './fused-batch-norm-grad.js';
import type { Tfjs } from './kernel-types.js';

/** Kernels whose tfjs gradient omnifuse replaces with a cheaper one of the same value. */
export const TRAINING_GRADIENTS = ['FusedBatchNorm'] as const;
export type TrainingGradient = (typeof TRAINING_GRADIENTS)[number];

// Marks our gradient configs, so a second call (even from another copy of omnifuse) is a no-op.
const ours = Symbol.for('omnifuse.trainingGradient');

/**
 * Replaces tfjs-core's gradients listed in TRAINING_GRADIENTS with omnifuse's and returns the names
 * this call replaced. Idempotent. Gradients are backend-independent (built from ops), so this
 * applies to every backend; each replacement computes the same partials with fewer and
 * smaller ops. Pass the app's tfjs namespace so there is one gradient registry.
 */
export function registerTrainingGradients(tf: Tfjs): TrainingGradient[] {
  const registered: TrainingGradient[] = [];
  for (const config of [fusedBatchNormGrad(tf)]) {
    const current = tf.getGradient(config.kernelName) as object | undefined;
    if (current !== undefined && ours in current) continue;
    Object.defineProperty(config, ours, { value: true });
    tf.registerGradient(config);
    registered.push(config.kernelName as TrainingGradient);
  }
  return registered;
}
