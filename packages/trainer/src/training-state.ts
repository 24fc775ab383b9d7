import { ErrorCode, hasRandomState, OmnifuseError, type SeededRandomLayer } from '@omnifuse/core';
import type * as tf from '@tensorflow/tfjs';
import type { BestEpochTracker } from './best-epoch.js';
import { readLatestCheckpoint, writeCheckpoint } from './checkpoints.js';
import type { LrScheduler, LrSchedulerState } from './lr-schedules.js';
import type { TrainerOptimizer } from './optimizers.js';

/** The parts of a fit whose state a checkpoint holds. */
export interface TrainingParts {
  readonly model: tf.LayersModel;
  readonly optimizer: TrainerOptimizer;
  readonly scheduler: LrScheduler;
  readonly tracker: BestEpochTracker;
}

/** The loop's own progress: metrics so far, the best epoch's weights, whether it stopped. */
export interface RunState {
  epochs: Record<string, number>[];
  best: tf.Tensor[] | null;
  stoppedEarly: boolean;
  /** Training time of the run so far, resumed parts included. */
  seconds: number;
}

interface SavedState {
  readonly fingerprint: string;
  readonly epochs: Record<string, number>[];
  readonly stoppedEarly: boolean;
  readonly seconds: number;
  // JSON has no infinities; ±Infinity (nothing seen yet) is written as null.
  readonly tracker: { bestEpoch: number; bestValue: number | null; wait: number };
  readonly scheduler: LrSchedulerState;
  readonly optimizerStep: number;
  readonly weightNames: string[];
  readonly slotCounts: number[];
  readonly layerCalls: Record<string, number>;
}

/**
 * core's seeded dropout layers (SeededDropout, ModalityDropout, attention dropout) draw each mask
 * from their seed and a count of draws (`SeededRandomLayer`); that count is the only random state
 * outside (seed, epoch), so a checkpoint records it by layer path and a resume puts it back.
 */
export function layersWithCalls(model: tf.LayersModel): Map<string, SeededRandomLayer> {
  const found = new Map<string, SeededRandomLayer>();
  const visit = (layers: readonly tf.layers.Layer[], prefix: string) => {
    for (const layer of layers) {
      if (hasRandomState(layer)) found.set(`${prefix}${layer.name}`, layer);
      const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(nested)) visit(nested, `${prefix}${layer.name}/`);
    }
  };
  visit(model.layers, '');
  return found;
}

/**
 * Writes everything a resume needs after an epoch: weights (trainable or not), every optimiser
 * slot and its step count, the schedule's and the early-stopping tracker's counters, the best
 * weights, and the history. Shuffling and augmentation need nothing: they derive from (seed, epoch).
 */
export async function saveTrainingState(
  dir: string,
  fingerprint: string,
  parts: TrainingParts,
  run: RunState,
): Promise<string> {
  const { model, optimizer, scheduler, tracker } = parts;
  const optimizerState = optimizer.getState();
  try {
    const state: SavedState = {
      fingerprint,
      epochs: run.epochs,
      stoppedEarly: run.stoppedEarly,
      seconds: run.seconds,
      tracker: {
        bestEpoch: tracker.bestEpoch,
        bestValue: Number.isFinite(tracker.bestValue) ? tracker.bestValue : null,
        wait: tracker.wait,
      },
      scheduler: scheduler.state(),
      optimizerStep: optimizerState.step,
      weightNames: model.weights.map((w) => w.name),
      slotCounts: optimizerState.slots.map((slots) => slots.length),
      layerCalls: Object.fromEntries(
        [...layersWithCalls(model)].map(([name, layer]) => [name, layer.getRandomState()]),
      ),
    };
    return await writeCheckpoint(dir, run.epochs.length, state, {
      weights: model.weights.map((w) => w.read()),
      best: run.best ?? [],
      slots: optimizerState.slots.flat(),
    });
  } finally {
    for (const slots of optimizerState.slots) for (const t of slots) t.dispose();
  }
}

/**
 * Loads the newest intact checkpoint in `dir` into the parts and returns the run so far, or null
 * when there is none (a fresh start). A damaged checkpoint is skipped with a process warning; one
 * from another configuration or data is an error.
 */
export async function restoreTrainingState(
  dir: string,
  fingerprint: string,
  parts: TrainingParts,
): Promise<RunState | null> {
  const skipped: { file: string; reason: string }[] = [];
  const checkpoint = await readLatestCheckpoint<SavedState>(dir, skipped);
  for (const { file, reason } of skipped) {
    process.emitWarning(`skipping checkpoint ${file}: ${reason}`, { code: 'OMNIFUSE_CHECKPOINT' });
  }
  if (!checkpoint) return null;
  const { state, groups } = checkpoint;
  const { model, optimizer, scheduler, tracker } = parts;
  let keep: tf.Tensor[] = [];
  try {
    const names = model.weights.map((w) => w.name);
    if (state.fingerprint !== fingerprint || state.weightNames.join('\n') !== names.join('\n')) {
      throw new OmnifuseError({
        code: ErrorCode.Training,
        message:
          'the checkpoint was written by another configuration, model or dataset; remove it or train without resume',
        file: checkpoint.file,
        expected: fingerprint,
        found: state.fingerprint,
      });
    }
    model.weights.forEach((w, i) => {
      w.write(groups.weights![i]!);
    });
    let next = 0;
    const flat = groups.slots ?? [];
    optimizer.setState({
      step: state.optimizerStep,
      slots: state.slotCounts.map((count) => {
        const slots = flat.slice(next, next + count);
        next += count;
        return slots;
      }),
    });
    for (const [name, layer] of layersWithCalls(model)) layer.setRandomState(state.layerCalls[name] ?? 0);
    scheduler.load(state.scheduler);
    tracker.bestEpoch = state.tracker.bestEpoch;
    tracker.bestValue = state.tracker.bestValue ?? tracker.bestValue;
    tracker.wait = state.tracker.wait;
    keep = groups.best ?? [];
    return {
      epochs: state.epochs,
      best: keep.length > 0 ? keep : null,
      stoppedEarly: state.stoppedEarly,
      seconds: state.seconds,
    };
  } finally {
    for (const tensors of Object.values(groups)) for (const t of tensors) if (!keep.includes(t)) t.dispose();
  }
}
