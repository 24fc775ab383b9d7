import { defineLayers, MASKED_SCORE } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];

export const MASKED_MODALITY_SOFTMAX_CLASS_NAME = 'OmnifuseMaskedModalitySoftmax';
export const MODALITY_WEIGHTED_SUM_CLASS_NAME = 'OmnifuseModalityWeightedSum';

/** The custom layers of the attention fusions, bound to one tfjs namespace. */
export interface AttentionLayers {
  /**
   * `[scores [b, M] or [b, M, d], presence [b, M]]` → the same shape as the scores: a softmax over
   * the modality axis (axis 1) among the present modalities. Absent modalities get exactly 0, and an
   * example with no modality present gets all zeros (not a uniform split, and never NaN).
   */
  readonly MaskedModalitySoftmax: new (args?: {
    name?: string;
  }) => tfjs.layers.Layer;
  /**
   * `[weights [b, M] or [b, M, d], v_1 [b, d], …, v_M [b, d]]` → `[b, d]`: `Σ_m w_m · v_m`, with a
   * per-example weight per modality or a per-dimension gate.
   */
  readonly ModalityWeightedSum: new (args?: {
    name?: string;
  }) => tfjs.layers.Layer;
}

/**
 * The attention fusions' layer classes for a tfjs namespace, defined and registered for
 * serialization once per namespace (as core's `customLayers`), so a saved model reloads by class
 * name in any process that has called this.
 */
export const attentionLayers: (tf: Tf) => AttentionLayers = defineLayers((tf) => {
  class MaskedModalitySoftmax extends tf.layers.Layer {
    static className = MASKED_MODALITY_SOFTMAX_CLASS_NAME;

    constructor(args: { name?: string } = {}) {
      super({ ...args, trainable: false });
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return [...((inputShape as Shape[])[0] as Shape)];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const [scores, presence] = inputs as Tensor[];
        // Presence [b, M] broadcast over any trailing per-dimension axes of the scores.
        let mask = tf.cast(presence!, scores!.dtype);
        while (mask.rank < scores!.rank) mask = tf.expandDims(mask, -1);
        // tfjs's softmax only runs over the last axis, so this one is written out. Masking before the
        // max keeps present scores from underflowing; multiplying by the mask after exp makes absent
        // weights exactly 0 and a row with nothing present 0 / tiny = 0 rather than a uniform 1/M.
        // (The gradient through the max cancels: a softmax does not change under a shift.)
        const masked = tf.add(scores!, tf.mul(tf.sub(1, mask), MASKED_SCORE));
        const shifted = tf.sub(masked, tf.max(masked, 1, true));
        const exps = tf.mul(tf.exp(shifted), mask);
        return tf.div(exps, tf.maximum(tf.sum(exps, 1, true), 1e-12));
      });
    }
  }

  class ModalityWeightedSum extends tf.layers.Layer {
    static className = MODALITY_WEIGHTED_SUM_CLASS_NAME;

    constructor(args: { name?: string } = {}) {
      super({ ...args, trainable: false });
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return [...((inputShape as Shape[])[1] as Shape)];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const [weights, ...vectors] = inputs as Tensor[];
        const stacked = tf.stack(vectors, 1); // [b, M, d]
        const w = weights!.rank === 2 ? tf.expandDims(weights!, -1) : weights!;
        return tf.sum(tf.mul(w, stacked), 1);
      });
    }
  }

  return { MaskedModalitySoftmax, ModalityWeightedSum };
});
