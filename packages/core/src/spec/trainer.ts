import type * as tf from '@tensorflow/tfjs';
import type { TaskSpec } from './task.js';

/**
 * A hook the trainer awaits before it continues, one callback object after another in the order
 * given. Use it for anything that must finish first (checkpointing, early stopping).
 */
export type SequentialHook<Event, Result = void> = (event: Event) => Result | Promise<Result>;

/**
 * A hook the trainer starts for every callback object at once and awaits together before the
 * next batch; the order between callbacks is unspecified. Use it for logging and progress.
 */
export type ParallelHook<Event> = (event: Event) => void | Promise<void>;

export interface TrainBeginEvent {
  readonly epochs: number;
  readonly trainSize: number;
  readonly validationSize: number;
  readonly batchesPerEpoch: number;
  readonly backend: string;
  /** Data-parallel worker threads computing the gradients (absent or 1: the calling thread). */
  readonly workers?: number;
}
export interface BatchEndEvent {
  /** 0-based, like every epoch and batch index in this spec. */
  readonly epoch: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly loss: number;
}
export interface EpochEndEvent {
  readonly epoch: number;
  /** Metrics of this epoch: `loss`, `accuracy`, `val_loss`, `val_accuracy`, … */
  readonly metrics: Readonly<Record<string, number>>;
  readonly seconds: number;
}
export interface TrainEndEvent {
  readonly history: TrainingHistory;
}

/** What a callback may answer at the end of an epoch. */
export interface EpochEndDecision {
  readonly stop?: boolean;
}

export interface TrainerCallbacks {
  readonly onTrainBegin?: SequentialHook<TrainBeginEvent>;
  readonly onBatchEnd?: ParallelHook<BatchEndEvent>;
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing must type-check.
  readonly onEpochEnd?: SequentialHook<EpochEndEvent, EpochEndDecision | undefined | void>;
  readonly onTrainEnd?: SequentialHook<TrainEndEvent>;
}

/** Inputs by model-input name and the encoded targets, all with the same first dimension. */
export interface TensorTable {
  readonly size: number;
  readonly inputs: Readonly<Record<string, tf.Tensor>>;
  readonly target: tf.Tensor;
}

/** One model input's rows in a {@link StreamedTable}: the shape of a row and the tensor dtype. */
export interface StreamedColumn {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32' | 'bool';
}

/**
 * A split whose model inputs stay on disk and are read batch by batch, so memory does not grow with
 * the dataset (`training.streaming`). The targets, one small row per example, stay in memory.
 * Trainers that set `TrainerV1.streaming` receive these in `TrainerFitArgs.streamed` and in
 * `evaluate`.
 */
export interface StreamedTable {
  readonly size: number;
  /** Row shape and dtype of each model input, by model-input name. */
  readonly columns: Readonly<Record<string, StreamedColumn>>;
  readonly target: tf.Tensor;
  /**
   * The model inputs of the rows given, in that order, `[rows.length, ...shape]` by model-input
   * name; the caller disposes them. Reads may be in flight while the caller computes (read-ahead).
   */
  readInputs(rows: readonly number[]): Promise<Record<string, tf.Tensor>>;
}

/** Either form of a split. */
export type TrainingTable = TensorTable | StreamedTable;

export interface EarlyStoppingOptions {
  /**
   * Metric to watch, e.g. `val_loss` (minimised) or `val_accuracy` (maximised); default
   * `TrainingOptions.monitor`, else `val_loss`.
   */
  readonly monitor?: string;
  readonly patience: number;
  readonly minDelta: number;
}

/** Optimiser hyperparameters; each optimiser reads its own (see `training.optimizerOptions`). */
export interface OptimizerOptions {
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly weightDecay?: number;
  readonly rho?: number;
}

/** Learning-rate schedule; `cosine` and `one-cycle` step per batch, the others per epoch. */
export type LrSchedule =
  | { readonly type: 'constant' }
  | { readonly type: 'step'; readonly stepSize: number; readonly gamma: number }
  | {
      readonly type: 'cosine';
      readonly warmupSteps?: number;
      readonly warmupEpochs?: number;
      readonly minLr: number;
    }
  | {
      readonly type: 'one-cycle';
      readonly maxLr?: number;
      readonly pctStart: number;
      readonly divFactor: number;
      readonly finalDivFactor: number;
    }
  | {
      readonly type: 'reduce-on-plateau';
      readonly monitor: string;
      readonly factor: number;
      readonly patience: number;
      readonly minLr: number;
      readonly cooldown: number;
      readonly threshold: number;
    };

export interface TrainingOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly optimizer: 'adam' | 'adamw' | 'sgd' | 'rmsprop';
  readonly optimizerOptions?: OptimizerOptions;
  /** Default: constant. */
  readonly lrSchedule?: LrSchedule;
  /** Global L2-norm bound of the gradients. */
  readonly gradientClipNorm?: number;
  /** Classification: loss weight per label, or `balanced`. */
  readonly classWeights?: 'balanced' | Readonly<Record<string, number>>;
  /** Classification: label smoothing ε in [0, 1]. */
  readonly labelSmoothing?: number;
  readonly seed: number;
  readonly shuffle: boolean;
  /**
   * The metric that picks the best epoch (restored by `restoreBestWeights`, kept as the `best`
   * checkpoint) and that early stopping watches. Default `earlyStopping.monitor`, else `val_loss`
   * (`loss` when there is no validation split and no early stopping).
   */
  readonly monitor?: string;
  readonly earlyStopping?: EarlyStoppingOptions;
  /** Restore the weights of the best epoch by `monitor`. */
  readonly restoreBestWeights: boolean;
  /**
   * Data-parallel worker threads: each computes the gradients of its shard of every batch on a
   * replica of the model (built from `TrainerFitArgs.replica`), the calling thread sums them in a
   * fixed order and takes the optimiser step. `auto`: the number of physical cores, capped by the
   * batch size. Absent: 1 (train on the calling thread).
   */
  readonly workers?: 'auto' | number;
  /**
   * Whether splits are read from disk batch by batch instead of held as tensors: `auto` (default)
   * streams when the features of the splits would take more than 512 MiB; `always`; `never`.
   */
  readonly streaming?: 'auto' | 'always' | 'never';
}

/**
 * How to build the model again in another thread, all of it structured-cloneable: the plugin
 * modules to import, the spec, the fitted encoder states, the task and seed `composeModel` took.
 * Trainers that run replicas (data-parallel workers) compose the same model from it.
 */
export interface ModelReplicaRecipe {
  /** Plugin modules to import (package names, or paths relative to `baseDir`). */
  readonly plugins: { readonly modules: readonly string[]; readonly baseDir: string };
  /** The parsed model spec (its inputs' encoder options, fusion, output, training). */
  readonly spec: unknown;
  /** Per input field, the encoder id and the fitted state. */
  readonly encoders: Readonly<Record<string, { readonly id: string; readonly state: unknown }>>;
  readonly task: TaskSpec & { readonly labels?: readonly string[] };
  readonly seed: number;
  /** tfjs backend name to select in the replica's thread (`wasm`, `cpu`). */
  readonly backend: string;
  /**
   * When inputs augment: the record id of each training row and the augmentation seed. A replica
   * augments its rows itself with the encoders' `augment`, seeded as `TrainerFitArgs.augment` is,
   * so what a record receives does not depend on the thread.
   */
  readonly augment?: { readonly records: readonly (string | number)[]; readonly seed: number };
  /**
   * Layers (by name) frozen in the model being trained, e.g. by fine-tuning: a replica freezes them
   * too (not trainable; batch normalisation kept in inference mode).
   */
  readonly frozenLayers?: readonly string[];
}

/** Where and whether a trainer that supports it checkpoints each epoch and resumes. */
export interface CheckpointOptions {
  readonly dir: string;
  /** Continue from the last complete checkpoint in `dir` (a fresh start when there is none). */
  readonly resume?: boolean;
  /**
   * Identifies everything outside the trainer's view that must be unchanged to resume (fitted
   * encoder states, label map); a checkpoint with another fingerprint is refused.
   */
  readonly fingerprint?: string;
}

export interface TrainingHistory {
  readonly epochs: readonly Readonly<Record<string, number>>[];
  /** 0-based index into `epochs` of the best epoch by the monitored metric. */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly seconds: number;
}

/**
 * Train-time augmentation, called once per training batch (never for validation or evaluation)
 * with the table rows of that batch. Returns replacement tensors, `[rows.length, ...]`, by model
 * input name for the inputs it augments (the others come from the table), or null for none. The
 * trainer disposes the tensors returned.
 */
export type BatchAugmenter = (args: {
  readonly epoch: number;
  readonly batch: number;
  readonly rows: readonly number[];
}) => Readonly<Record<string, tf.Tensor>> | null;

export interface TrainerFitArgs {
  /** Compiled-or-not model whose single output matches `task`; the trainer owns the optimiser. */
  readonly model: tf.LayersModel;
  readonly task: TaskSpec;
  /**
   * The training split as tensors. When `streamed` is given this is built from it on first read
   * (the whole split in memory), for trainers that do not stream.
   */
  readonly train: TensorTable;
  readonly validation?: TensorTable;
  /** The splits read from disk batch by batch; given to trainers that set `TrainerV1.streaming`. */
  readonly streamed?: { readonly train: StreamedTable; readonly validation?: StreamedTable };
  readonly options: TrainingOptions;
  readonly callbacks?: readonly TrainerCallbacks[];
  /** Seeded train-time augmentation of the training batches. */
  readonly augment?: BatchAugmenter;
  /** Per-epoch checkpoints and resuming; trainers without checkpoint support ignore it. */
  readonly checkpoint?: CheckpointOptions;
  /** How to rebuild `model` in worker threads; needed for `options.workers` other than 1. */
  readonly replica?: ModelReplicaRecipe;
}

export interface EvaluationResult {
  readonly loss: number;
  /** Classification and multi-label only. */
  readonly accuracy?: number;
  readonly size: number;
}

/** A training loop: fits a composed model on tensor tables and scores it. */
export interface TrainerV1 {
  readonly specificationVersion: 'v1';
  /** e.g. `trainer:supervised`. */
  readonly id: string;
  /**
   * The trainer reads `TrainerFitArgs.streamed` when given and accepts a {@link StreamedTable} in
   * `evaluate`, so training keeps memory independent of the dataset's size.
   */
  readonly streaming?: boolean;
  fit(args: TrainerFitArgs): Promise<TrainingHistory>;
  /** `data` is a {@link StreamedTable} only for a trainer that sets `streaming`. */
  evaluate(
    model: tf.LayersModel,
    task: TaskSpec,
    data: TrainingTable,
    batchSize?: number,
  ): Promise<EvaluationResult>;
}

export interface TrainerPluginV1 {
  readonly specificationVersion: 'v1';
  readonly kind: 'trainer';
  readonly id: string;
  readonly packageName?: string;
  readonly description?: string;
  create(options?: unknown): TrainerV1;
}
