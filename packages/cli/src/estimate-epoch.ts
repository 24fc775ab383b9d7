import { composeModel, type Dataset, type ModelSpec, type PluginList, splitDataset } from '@omnifuse/core';
import {
  createSpecFusion,
  encodeTargets,
  featureTensors,
  fitEncoders,
  fitLabels,
  resolveRegistry,
  specTask,
} from '@omnifuse/trainer';
import * as tf from '@tensorflow/tfjs';

/** Batches run before timing: the first steps set kernels and memory up and run 2–4× slower. */
export const WARM_UP_BATCHES = 2;
/** Batches timed after the warm-up. */
export const TIMED_BATCHES = 3;

export interface EpochEstimate {
  /** Predicted seconds per epoch: the training steps and the validation pass. */
  readonly seconds: number;
  /** Seconds to preprocess every record once on one thread (the feature cache keeps the result). */
  readonly preprocessSeconds: number;
  /** The tfjs backend the batches ran on. */
  readonly backend: string;
  readonly timedBatches: number;
  readonly batchSize: number;
  readonly trainSize: number;
  readonly validationSize: number;
}

export interface EstimateEpochOptions {
  readonly spec: ModelSpec;
  readonly dataset: Dataset;
  /** The plugins the spec needs (the built-ins are added). */
  readonly plugins: PluginList;
  /** Folder the spec's relative paths resolve against. */
  readonly baseDir: string;
  readonly timedBatches?: number;
}

/**
 * Predicts how long one epoch of `spec` takes on this machine by measuring, not by formula: fits
 * the encoders on a few batches' worth of training records (evenly spread), preprocesses them,
 * composes the model and runs the spec's trainer on them, one thread, on the backend already
 * active. {@link WARM_UP_BATCHES} batches warm the kernels up; the median of the next `timedBatches` steps,
 * times the batches in an epoch, plus a timed validation pass scaled to the validation split,
 * is the estimate. Encoders fitted on a sample may be a little smaller than on the whole split
 * (a text vocabulary), so the figure leans low for text inputs.
 */
export async function estimateEpoch(options: EstimateEpochOptions): Promise<EpochEstimate> {
  const { spec, dataset } = options;
  const timedBatches = options.timedBatches ?? TIMED_BATCHES;
  const registry = await resolveRegistry({ baseDir: options.baseDir, registry: options.plugins });
  const split = splitDataset(dataset, spec.split);
  const trainSet = split.datasets.train;
  const batchSize = Math.max(1, Math.min(spec.training.batchSize, trainSet.size));
  const sampleSize = Math.min(trainSet.size, batchSize * (WARM_UP_BATCHES + timedBatches));
  const sample = trainSet.subset(
    Array.from({ length: sampleSize }, (_, i) => Math.floor((i * trainSet.size) / sampleSize)),
  );

  const task = { ...specTask(spec), labels: fitLabels(specTask(spec), trainSet) };
  const encoders = await fitEncoders(spec, registry, sample);
  const fusion = createSpecFusion(spec, registry);
  const composed = composeModel({ tf, spec, encoders, fusion, task, seed: spec.training.seed });
  let inputs: Record<string, tf.Tensor> = {};
  let target: tf.Tensor | undefined;
  try {
    const preprocessStarted = performance.now();
    inputs = await featureTensors(sample, spec, composed.inputs, encoders);
    const preprocessPerRecord = (performance.now() - preprocessStarted) / 1000 / sampleSize;
    target = encodeTargets(task, task.labels, sample);
    const table = { size: sampleSize, inputs, target };

    const ends: number[] = [];
    let began = 0;
    const { trainer: trainerId, earlyStopping: _stopping, ...training } = spec.training;
    const trainer = registry.trainer(trainerId).create({});
    await trainer.fit({
      model: composed.model,
      task,
      train: table,
      options: { ...training, epochs: 1, workers: 1, shuffle: false, restoreBestWeights: false },
      callbacks: [
        {
          onTrainBegin: () => {
            began = performance.now();
          },
          onBatchEnd: () => {
            ends.push(performance.now());
          },
        },
      ],
    });
    const steps = ends.map((end, i) => (end - (i === 0 ? began : ends[i - 1]!)) / 1000);
    // A split too small for the warm-up is timed whole.
    const timed = steps.length > WARM_UP_BATCHES ? steps.slice(WARM_UP_BATCHES) : steps;
    const stepSeconds = median(timed);

    const validationSize = split.validation.length;
    let evaluatePerRecord = 0;
    if (validationSize > 0) {
      await trainer.evaluate(composed.model, task, table); // warms the inference kernels up
      const evaluateStarted = performance.now();
      await trainer.evaluate(composed.model, task, table);
      evaluatePerRecord = (performance.now() - evaluateStarted) / 1000 / sampleSize;
    }
    return {
      seconds: stepSeconds * Math.ceil(trainSet.size / batchSize) + evaluatePerRecord * validationSize,
      preprocessSeconds: preprocessPerRecord * dataset.size,
      backend: tf.getBackend(),
      timedBatches: timed.length,
      batchSize,
      trainSize: trainSet.size,
      validationSize,
    };
  } finally {
    tf.dispose([...Object.values(inputs), ...(target ? [target] : [])]);
    composed.model.dispose();
  }
}

/**
 * One line for the user, e.g. `estimated 12 s per epoch on this machine (wasm, 3 batches of 32
 * timed; …)`, with the one-off preprocessing when it takes a second or more.
 */
export function estimateLine(estimate: EpochEstimate): string {
  const batches = `${estimate.timedBatches} batch${estimate.timedBatches === 1 ? '' : 'es'}`;
  const records =
    `${estimate.trainSize.toLocaleString('en-US')} training and ` +
    `${estimate.validationSize.toLocaleString('en-US')} validation records`;
  return (
    `estimated ${formatSeconds(estimate.seconds)} per epoch on this machine ` +
    `(${estimate.backend}, ${batches} of ${estimate.batchSize} timed; ${records})` +
    (estimate.preprocessSeconds >= 1
      ? `; preprocessing first takes about ${formatSeconds(estimate.preprocessSeconds)} on one thread, then comes from the cache`
      : '')
  );
}

function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${(seconds / 60).toFixed(1)} min`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
