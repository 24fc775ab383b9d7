import * as tf from '@tensorflow/tfjs';

/**
 * Global-norm clipping as `torch.nn.utils.clip_grad_norm_`: the L2 norm over all gradients
 * together, and every gradient scaled by min(1, maxNorm / (norm + 1e-6)). Returns the scaled
 * gradients (nulls kept) and the norm before clipping; call inside `tf.tidy`.
 */
export function clipByGlobalNorm(
  gradients: readonly (tf.Tensor | null)[],
  maxNorm: number,
): { gradients: (tf.Tensor | null)[]; norm: tf.Scalar } {
  const present = gradients.filter((g): g is tf.Tensor => g !== null);
  const norm = tf.sqrt(tf.addN(present.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  const scale = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
  return { gradients: gradients.map((g) => (g ? tf.mul(g, scale) : null)), norm };
}
