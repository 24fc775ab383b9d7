import type * as tfjs from '@tensorflow/tfjs';
import type { Tfjs } from './kernel-types.js';

type Tensor = tfjs.Tensor;

/**
 * The gradient of tfjs's `FusedBatchNorm` kernel (what `tf.batchNorm` and tfjs-layers'
 * BatchNormalization run), with the same partials as tfjs-core 4.22's own `fusedBatchNormGradConfig`
 * — mean and variance are independent inputs; their dependence on x (batch statistics) reaches x
 * through the Mean/SquaredDifference gradients — computed by broadcasting the per-channel factors
 * against the activation instead of tiling them to its size. With the usual per-channel inputs it
 * makes two activation-sized reductions (sum dy, sum dy·(x − mean)) where tfjs's makes four, and no
 * activation-sized intermediate outlives the call.
 */
export function fusedBatchNormGrad(tf: Tfjs): tfjs.GradConfig {
  return {
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dyOrDys, saved, attrs) => {
      const dy = dyOrDys as Tensor;
      const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
      const epsilon = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
      // Sum `t` over the axes along which a tensor of `shape` was broadcast to it.
      const reduceTo = (t: Tensor, shape: number[]): Tensor => {
        const axes = tf.backend_util.getReductionAxes(shape, t.shape);
        return tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, shape);
      };
      const invStd = tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
      const gain = scale == null ? invStd : tf.mul(invStd, scale);
      const dx = () => tf.reshape(tf.mul(dy, gain), x.shape);
      const sameShape = (t: Tensor) => tf.util.arraysEqual(t.shape, mean.shape);
      if (!(sameShape(variance) && (scale == null || sameShape(scale)))) {
        // Mixed parameter shapes (no tfjs op makes these): reduce each product to its own input.
        const centred = () => tf.sub(x, mean);
        return {
          x: dx,
          mean: () => reduceTo(tf.neg(tf.mul(dy, gain)), mean.shape),
          variance: () =>
            reduceTo(
              tf.mul(tf.mul(dy, centred()), tf.mul(tf.square(invStd), tf.mul(gain, -0.5))),
              variance.shape,
            ),
          scale: () => reduceTo(tf.mul(tf.mul(dy, centred()), invStd), (scale as Tensor).shape),
          offset: () => reduceTo(dy, mean.shape),
        };
      }
      // Per-channel factors commute with the sums over the batch (and spatial) axes. Both sums are
      // needed by any training step (offset, scale, batch statistics), so compute them once here;
      // the tidy frees the activation-sized product at once rather than at the end of backprop.
      const sumDy = tf.tidy(() => reduceTo(dy, mean.shape));
      const sumDyCentred = tf.tidy(() => reduceTo(tf.mul(dy, tf.sub(x, mean)), mean.shape));
      return {
        x: dx,
        mean: () => tf.reshape(tf.neg(tf.mul(gain, sumDy)), mean.shape),
        variance: () =>
          tf.reshape(
            tf.mul(tf.mul(tf.mul(tf.square(invStd), gain), sumDyCentred), tf.scalar(-0.5)),
            mean.shape,
          ),
        scale: () => tf.reshape(tf.mul(invStd, sumDyCentred), mean.shape),
        offset: () => sumDy.clone(),
      };
    },
  };
}
