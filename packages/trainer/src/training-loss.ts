import { ErrorCode, OmnifuseError, type TaskSpec, type TrainingOptions } from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { exampleLosses } from './losses.js';

/** What the training objective adds to the plain per-example loss. */
export interface LossShaping {
  /** `[classes]` weight per class, or null. */
  readonly classWeights: tf.Tensor1D | null;
  readonly labelSmoothing: number;
}

/**
 * The objective minimised on a training batch: `exampleLosses` on targets smoothed to
 * (1 − ε)·one-hot + ε/K, averaged with class weights as PyTorch's weighted `CrossEntropyLoss`
 * (Σ wᵧ·lossᵢ / Σ wᵧ, each example weighted by its true class). Without either it is the plain
 * mean, as evaluation computes it.
 */
export function trainingLoss(
  task: TaskSpec,
  target: tf.Tensor,
  prediction: tf.Tensor,
  shaping: LossShaping,
): tf.Scalar {
  return tf.tidy(() => {
    const losses = shapedLosses(task, target, prediction, shaping.labelSmoothing);
    const weights = exampleWeights(target, shaping);
    if (!weights) return tf.mean(losses) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(losses, weights)), tf.sum(weights)) as tf.Scalar;
  });
}

/**
 * The training objective's numerator over a shard of a batch, Σ wᵢ·lossᵢ (wᵢ = 1 without class
 * weights), and its denominator Σ wᵢ: shards' numerators summed over their denominators summed
 * are the batch's `trainingLoss`, whatever the split.
 */
export function trainingLossSum(
  task: TaskSpec,
  target: tf.Tensor,
  prediction: tf.Tensor,
  shaping: LossShaping,
): { sum: tf.Scalar; weight: tf.Scalar } {
  return tf.tidy(() => {
    const losses = shapedLosses(task, target, prediction, shaping.labelSmoothing);
    const weights = exampleWeights(target, shaping);
    if (!weights) return { sum: tf.sum(losses) as tf.Scalar, weight: tf.scalar(target.shape[0]!) };
    return { sum: tf.sum(tf.mul(losses, weights)) as tf.Scalar, weight: tf.sum(weights) as tf.Scalar };
  });
}

/** Per-example losses on targets smoothed to (1 − ε)·one-hot + ε/K. */
function shapedLosses(
  task: TaskSpec,
  target: tf.Tensor,
  prediction: tf.Tensor,
  labelSmoothing: number,
): tf.Tensor {
  let smoothed = target;
  if (labelSmoothing > 0) {
    const classes = target.shape.at(-1)!;
    smoothed = tf.add(tf.mul(tf.cast(target, 'float32'), 1 - labelSmoothing), labelSmoothing / classes);
  }
  return exampleLosses(task, smoothed, prediction);
}

/** Each example's weight, its true class's, or null without class weights. */
function exampleWeights(target: tf.Tensor, shaping: LossShaping): tf.Tensor | null {
  if (!shaping.classWeights) return null;
  return tf.sum(tf.mul(tf.cast(target, 'float32'), shaping.classWeights), -1);
}

/**
 * Class weights in label order: `balanced` is scikit-learn's n / (K · countₖ) over the training
 * targets (1 for a class absent there), a record gives weights by label (1 for labels it omits).
 * Async because counting reads the targets back from the backend.
 */
export async function resolveClassWeights(
  option: TrainingOptions['classWeights'],
  task: TaskSpec,
  target: tf.Tensor,
): Promise<number[] | null> {
  if (option === undefined) return null;
  const classes = target.shape.at(-1)!;
  if (option === 'balanced') {
    const summed = tf.tidy(() => tf.sum(tf.cast(target, 'float32'), 0));
    // data(), not dataSync(): webgpu in Node cannot read back synchronously.
    const counts = await summed.data();
    summed.dispose();
    const n = target.shape[0]!;
    return Array.from(counts, (count) => (count > 0 ? n / (classes * count) : 1));
  }
  const labels = task.labels ?? [];
  const unknown = Object.keys(option).filter((label) => !labels.includes(label));
  if (unknown.length > 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `class weights for labels the task does not have: ${unknown.join(', ')}`,
      path: 'training.classWeights',
      expected: labels,
      found: unknown,
    });
  }
  return Array.from({ length: classes }, (_, k) => option[labels[k]!] ?? 1);
}
