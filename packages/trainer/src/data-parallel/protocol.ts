import type { ModelReplicaRecipe } from '@omnifuse/core';
import type { SerializedError } from '../thread-errors.js';
import type { SharedTable } from './shared-table.js';

/**
 * Where each of the model's weights (in `model.weights` order) lives in the shared weight buffer,
 * which of them train (indices into `model.weights`, in `model.trainableWeights` order: the gradient
 * buffer's order) and which do not (batch-norm statistics and frozen weights: the order of the
 * buffer each worker returns them in).
 */
export interface WeightLayout {
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  readonly trainable: readonly number[];
  readonly nonTrainable: readonly number[];
}

/** What a worker is started with (`workerData`). */
export interface WorkerInit {
  readonly index: number;
  readonly count: number;
  readonly recipe: ModelReplicaRecipe;
  readonly layout: WeightLayout;
  readonly train: SharedTable;
  readonly validation: SharedTable | null;
  /** Float32: every weight, `layout` order; the main thread writes it after each optimiser step. */
  readonly weights: SharedArrayBuffer;
  /** Float32: this worker's gradients, trainable weights in order. */
  readonly gradients: SharedArrayBuffer;
  /** Float32: this worker's non-trainable weights after its step. */
  readonly statistics: SharedArrayBuffer;
  readonly classWeights: readonly number[] | null;
  readonly labelSmoothing: number;
  readonly evaluationBatchSize: number;
}

export type ToWorker =
  | {
      readonly type: 'step';
      readonly epoch: number;
      readonly rows: readonly number[];
      /** Where this shard starts in the whole batch, and the batch's rows (for dropout masks). */
      readonly shardStart: number;
      readonly batchSize: number;
      readonly weightsVersion: number;
      /** Draw counts of the model's seeded random layers (layer walk order) before this step. */
      readonly randomStates: readonly number[];
    }
  | {
      readonly type: 'evaluate';
      readonly start: number;
      readonly end: number;
      readonly weightsVersion: number;
    };

export type FromWorker =
  | {
      readonly type: 'ready';
      readonly names: readonly string[];
      readonly shapes: readonly (readonly number[])[];
    }
  | {
      readonly type: 'stepped';
      /** Σ wᵢ·lossᵢ over the shard and Σ wᵢ (see `trainingLossSum`). */
      readonly lossSum: number;
      readonly weight: number;
      readonly correct: number | null;
      /** Trainable weights (gradient order) that got no gradient. */
      readonly noGradient: readonly number[];
      /** Draws each seeded random layer made in this step. */
      readonly randomDraws: readonly number[];
    }
  | { readonly type: 'evaluated'; readonly lossSum: number; readonly correct: number | null }
  | { readonly type: 'error'; readonly error: SerializedError };

/** Offsets of each weight in a Float32 buffer holding the weights listed, in that order. */
export function offsetsOf(
  layout: WeightLayout,
  indices: readonly number[],
): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const index of indices) {
    offsets.push(total);
    total += layout.shapes[index]!.reduce((a, b) => a * b, 1);
  }
  return { offsets, total };
}
