/**
 * The output contract: what the model predicts and how it is scored.
 * - classification: one label per record (softmax, categorical cross-entropy);
 * - multi-label: a set of labels per record, given as an array or a `|`-separated string
 *   (sigmoid, binary cross-entropy, threshold 0.5);
 * - regression: one number per record (linear, mean squared error).
 */
export type TaskType = 'classification' | 'multi-label' | 'regression';

export interface TaskSpec {
  readonly type: TaskType;
  /** Manifest field holding the target. */
  readonly field: string;
  /** Label order for classification tasks; fitted on the training split when not given. */
  readonly labels?: readonly string[];
}

/** One record's prediction. */
export interface Prediction {
  readonly record: string | number;
  /** Predicted label (classification), labels (multi-label) or value (regression). */
  readonly prediction: string | readonly string[] | number;
  /** Per-label probability, for classification and multi-label tasks. */
  readonly probabilities?: Readonly<Record<string, number>>;
  /** Per-modality fusion weights by field name, where the fusion method has them. */
  readonly fusionWeights?: Readonly<Record<string, number>>;
}
