import type { TaskSpec } from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';

const EPSILON = 1e-7;
/**
 * The floor of a classification probability, only so that one that underflowed to 0 gives a finite
 * loss. Above it, −log p_y and the softmax before it give the gradient p − y with respect to the
 * logits exactly, as PyTorch's `CrossEntropyLoss` on logits does; a clip at 1e-7 (Keras's) gave an
 * example whose true class had p_y < 1e-7 — a logit gap beyond 16 — no gradient at all.
 */
const PROBABILITY_FLOOR = 1e-37;

/**
 * Loss of each example, `[batch]`: categorical cross-entropy of softmax outputs against one-hot
 * targets (classification; exact down to p_y = 1e-37, see `PROBABILITY_FLOOR`), mean binary cross-entropy over labels (multi-label), or mean squared
 * error (regression). Per-example values let evaluation average exactly over any batching.
 */
export function exampleLosses(task: TaskSpec, target: tf.Tensor, prediction: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    if (task.type === 'regression') {
      return tf.mean(tf.squaredDifference(prediction, tf.cast(target, 'float32')), -1) as tf.Tensor1D;
    }
    if (task.type === 'classification') {
      return tf.neg(
        tf.sum(tf.mul(target, tf.log(tf.maximum(prediction, PROBABILITY_FLOOR))), -1),
      ) as tf.Tensor1D;
    }
    const p = tf.clipByValue(prediction, EPSILON, 1 - EPSILON);
    const positive = tf.mul(target, tf.log(p));
    const negative = tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p)));
    return tf.neg(tf.mean(tf.add(positive, negative), -1)) as tf.Tensor1D;
  });
}

/**
 * Correct answers in a batch, as a scalar: examples whose arg-max matches (classification), or
 * label decisions at threshold 0.5 that match (multi-label, so accuracy is per label); null for
 * regression, which has no accuracy.
 */
export function correctCount(task: TaskSpec, target: tf.Tensor, prediction: tf.Tensor): tf.Scalar | null {
  if (task.type === 'regression') return null;
  return tf.tidy(() => {
    if (task.type === 'classification') {
      return tf.sum(
        tf.cast(tf.equal(tf.argMax(prediction, -1), tf.argMax(target, -1)), 'float32'),
      ) as tf.Scalar;
    }
    const decided = tf.greaterEqual(prediction, 0.5);
    const truth = tf.greaterEqual(target, 0.5);
    return tf.sum(tf.cast(tf.equal(decided, truth), 'float32')) as tf.Scalar;
  });
}

/** How many decisions `correctCount` counts per example. */
export function decisionsPerExample(task: TaskSpec, target: tf.Tensor): number {
  return task.type === 'multi-label' ? (target.shape[1] ?? 1) : 1;
}
