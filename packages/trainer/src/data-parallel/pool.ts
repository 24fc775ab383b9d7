import { Worker } from 'node:worker_threads';
import {
  ErrorCode,
  type ModelReplicaRecipe,
  OmnifuseError,
  type SeededRandomLayer,
  type TrainingTable,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import type { TrainerOptimizer } from '../optimizers.js';
import { revivedError, type SerializedError } from '../thread-errors.js';
import { layersWithCalls } from '../training-state.js';
import { shardRows } from './cores.js';
import { clipFlatByGlobalNorm, FlatOptimizer } from './flat-optimizer.js';
import { type FromWorker, offsetsOf, type ToWorker, type WeightLayout, type WorkerInit } from './protocol.js';
import { shareTable } from './shared-table.js';

export interface GradientWorkersOptions {
  readonly count: number;
  readonly recipe: ModelReplicaRecipe;
  /** The main thread's model: its weights are the truth, sent to the workers after every step. */
  readonly model: tf.LayersModel;
  readonly train: TrainingTable;
  readonly validation?: TrainingTable;
  readonly classWeights: readonly number[] | null;
  readonly labelSmoothing: number;
  readonly evaluationBatchSize: number;
  /** The run's optimiser: its state moves to the pool while it runs (`syncModel` moves it back). */
  readonly optimizer: TrainerOptimizer;
}

/** How one step updates the weights. */
export interface StepSettings {
  readonly lr: number;
  readonly clipNorm: number | undefined;
  readonly lrScales: readonly number[] | undefined;
}

interface Pending {
  resolve(message: FromWorker): void;
  reject(error: Error): void;
}

/**
 * Data-parallel gradient workers: `count` threads, each with a replica of the model composed from
 * the recipe, reading the training (and validation) table and the weights from shared memory.
 * `step` splits a batch into contiguous shards, one per worker, and sums their gradients in worker
 * order (deterministic for a given count), divided by the batch's total loss weight: the gradient
 * of the whole batch's objective. Batch-norm statistics are computed per shard, and the moving
 * averages the workers return are averaged weighted by shard size (PyTorch DDP without
 * SyncBatchNorm keeps rank 0's instead).
 */
export class GradientWorkers {
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;
  private weightsVersion = 0;
  private flat: FlatOptimizer | null = null;
  private readonly random: SeededRandomLayer[];
  /** Views of the shared weight buffer: every weight, and the trainable ones in gradient order. */
  private readonly weightViews: Float32Array[];
  private readonly trainableViews: Float32Array[];
  /** The batch's gradient (sum over the workers, then the mean), trainable weights in order. */
  private readonly gradientSum: Float64Array;
  private readonly gradientViews: Float32Array[];

  private constructor(
    private readonly workers: readonly Worker[],
    private readonly model: tf.LayersModel,
    private readonly layout: WeightLayout,
    private readonly buffers: {
      readonly weights: SharedArrayBuffer;
      readonly gradients: readonly SharedArrayBuffer[];
      readonly statistics: readonly SharedArrayBuffer[];
    },
    private readonly validationSize: number,
    private readonly optimizer: TrainerOptimizer,
  ) {
    this.random = [...layersWithCalls(model).values()];
    const all = offsetsOf(
      layout,
      layout.names.map((_, i) => i),
    );
    const sizeOf = (index: number) => layout.shapes[index]!.reduce((a, b) => a * b, 1);
    this.weightViews = layout.names.map(
      (_, i) => new Float32Array(buffers.weights, all.offsets[i]! * 4, sizeOf(i)),
    );
    this.trainableViews = layout.trainable.map((index) => this.weightViews[index]!);
    const trainable = offsetsOf(layout, layout.trainable);
    this.gradientSum = new Float64Array(trainable.total);
    const mean = new Float32Array(trainable.total);
    this.gradientViews = layout.trainable.map((index, j) =>
      mean.subarray(trainable.offsets[j]!, trainable.offsets[j]! + sizeOf(index)),
    );
    workers.forEach((worker, k) => {
      worker.on('message', (message: FromWorker) => this.settle(k, message));
      worker.on('error', (error) => this.fail(k, error));
      worker.on('exit', (code) => this.fail(k, new Error(`exited with code ${code}`)));
    });
  }

  static async start(options: GradientWorkersOptions): Promise<GradientWorkers> {
    const { model, count } = options;
    const layout = weightLayout(model);
    const size = (indices: readonly number[]) => offsetsOf(layout, indices).total * 4;
    const weights = new SharedArrayBuffer(size(layout.names.map((_, i) => i)));
    const gradients = Array.from({ length: count }, () => new SharedArrayBuffer(size(layout.trainable)));
    const statistics = Array.from({ length: count }, () => new SharedArrayBuffer(size(layout.nonTrainable)));
    const train = await shareTable(options.train);
    const validation =
      options.validation && options.validation.size > 0 ? await shareTable(options.validation) : null;
    const entry = workerEntry();
    const workers = Array.from({ length: count }, (_, index) => {
      const init: WorkerInit = {
        index,
        count,
        recipe: options.recipe,
        layout,
        train,
        validation,
        weights,
        gradients: gradients[index]!,
        statistics: statistics[index]!,
        classWeights: options.classWeights,
        labelSmoothing: options.labelSmoothing,
        evaluationBatchSize: options.evaluationBatchSize,
      };
      return new Worker(entry.url, {
        workerData: { ...init, ...entry.data },
        execArgv: entry.execArgv,
        name: `omnifuse-gradients-${index}`,
      });
    });
    const pool = new GradientWorkers(
      workers,
      model,
      layout,
      { weights, gradients, statistics },
      validation?.size ?? 0,
      options.optimizer,
    );
    try {
      const ready = await Promise.all(workers.map((_, k) => pool.expect(k)));
      ready.forEach((message, k) => {
        pool.checkReplica(k, message);
      });
      await pool.publishWeights();
      pool.flat = await FlatOptimizer.from(
        options.optimizer,
        layout.trainable.map((index) => pool.weightViews[index]!.length),
      );
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get count(): number {
    return this.workers.length;
  }

  /** Copies the main model's weights into shared memory. */
  private async publishWeights(): Promise<void> {
    const all = new Float32Array(this.buffers.weights);
    let offset = 0;
    for (const weight of this.model.weights) {
      const data = (await weight.read().data()) as Float32Array;
      all.set(data, offset);
      offset += data.length;
    }
    this.weightsVersion++;
  }

  /**
   * One training step on the batch `rows` (table rows, in batch order): each worker takes its shard
   * and returns Σ wᵢ·∇lossᵢ; their sum in worker order over Σ wᵢ is the batch's gradient, clipped
   * by global norm when asked and applied to the shared weights here. The workers' batch-norm
   * statistics are averaged by shard size, and the random layers' draw counts move on.
   */
  async step(
    epoch: number,
    rows: readonly number[],
    settings: StepSettings,
  ): Promise<{ loss: number; correct: number | null }> {
    const randomStates = this.random.map((layer) => layer.getRandomState());
    const shards = shardRows(rows, this.workers.length);
    const active = shards.flatMap((shard, k) => (shard.length > 0 ? [k] : []));
    const starts = shards.map((_, k) => shards.slice(0, k).reduce((sum, shard) => sum + shard.length, 0));
    const replies = (await Promise.all(
      active.map((k) =>
        this.request(k, {
          type: 'step',
          epoch,
          rows: shards[k]!,
          shardStart: starts[k]!,
          batchSize: rows.length,
          weightsVersion: this.weightsVersion,
          randomStates,
        }),
      ),
    )) as Extract<FromWorker, { type: 'stepped' }>[];
    let lossSum = 0;
    let weight = 0;
    let correct: number | null = null;
    for (const reply of replies) {
      lossSum += reply.lossSum;
      weight += reply.weight;
      if (reply.correct !== null) correct = (correct ?? 0) + reply.correct;
    }
    const gradients = this.combineGradients(active, replies, weight);
    if (settings.clipNorm !== undefined) clipFlatByGlobalNorm(gradients, settings.clipNorm);
    this.flat!.step(
      this.trainableViews,
      gradients,
      this.layout.trainable.map((index) => this.layout.shapes[index]!.length),
      settings.lr,
      settings.lrScales,
    );
    this.combineStatistics(active, shards, rows.length);
    this.random.forEach((layer, i) => {
      layer.setRandomState(randomStates[i]! + replies[0]!.randomDraws[i]!);
    });
    this.weightsVersion++;
    return { loss: lossSum / weight, correct };
  }

  /**
   * Writes the shared weights into the main model and the optimiser state into the tfjs optimiser,
   * for what reads them between epochs: checkpoints, best weights, callbacks, the end of training.
   */
  syncModel(): void {
    tf.tidy(() => {
      this.model.weights.forEach((weight, i) => {
        weight.write(tf.tensor(this.weightViews[i]!, weight.shape as number[], 'float32'));
      });
    });
    this.flat!.storeInto(
      this.optimizer,
      this.layout.trainable.map((index) => this.layout.shapes[index]!),
    );
  }

  /** Mean loss and correct count over the validation table, each worker scoring a contiguous range. */
  async evaluate(): Promise<{ lossSum: number; correct: number | null }> {
    const size = this.validationSize;
    const per = Math.ceil(size / this.workers.length);
    const ranges = this.workers.map((_, k) => [k * per, Math.min(size, (k + 1) * per)] as const);
    const active = ranges.flatMap(([start, end], k) => (end > start ? [k] : []));
    const replies = (await Promise.all(
      active.map((k) =>
        this.request(k, {
          type: 'evaluate',
          start: ranges[k]![0],
          end: ranges[k]![1],
          weightsVersion: this.weightsVersion,
        }),
      ),
    )) as Extract<FromWorker, { type: 'evaluated' }>[];
    let lossSum = 0;
    let correct: number | null = null;
    for (const reply of replies) {
      lossSum += reply.lossSum;
      if (reply.correct !== null) correct = (correct ?? 0) + reply.correct;
    }
    return { lossSum, correct };
  }

  async close(): Promise<void> {
    this.failure ??= new Error('closed');
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  /** The batch's gradient per trainable weight (views of one buffer), null where no worker got one. */
  private combineGradients(
    active: readonly number[],
    replies: readonly Extract<FromWorker, { type: 'stepped' }>[],
    weight: number,
  ): (Float32Array | null)[] {
    const sum = this.gradientSum;
    sum.fill(0);
    for (const k of active) {
      const gradients = new Float32Array(this.buffers.gradients[k]!);
      for (let i = 0; i < sum.length; i++) sum[i]! += gradients[i]!;
    }
    const missing = replies.map((reply) => new Set(reply.noGradient));
    return this.gradientViews.map((view, j) => {
      if (missing.every((set) => set.has(j))) return null;
      const offset = view.byteOffset / 4;
      for (let i = 0; i < view.length; i++) view[i] = sum[offset + i]! / weight;
      return view;
    });
  }

  /** The non-trainable weights after the step: the workers', averaged by shard size, into the shared weights. */
  private combineStatistics(active: readonly number[], shards: readonly number[][], rows: number): void {
    if (this.layout.nonTrainable.length === 0) return;
    const { offsets } = offsetsOf(this.layout, this.layout.nonTrainable);
    const statistics = active.map((k) => new Float32Array(this.buffers.statistics[k]!));
    const shares = active.map((k) => shards[k]!.length / rows);
    this.layout.nonTrainable.forEach((index, j) => {
      const target = this.weightViews[index]!;
      const offset = offsets[j]!;
      for (let i = 0; i < target.length; i++) {
        let value = 0;
        for (let a = 0; a < statistics.length; a++) value += shares[a]! * statistics[a]![offset + i]!;
        target[i] = value;
      }
    });
  }

  private checkReplica(k: number, message: FromWorker): void {
    const ready = message as Extract<FromWorker, { type: 'ready' }>;
    const same =
      ready.shapes.length === this.layout.shapes.length &&
      ready.shapes.every((shape, i) => shape.join('x') === this.layout.shapes[i]!.join('x'));
    if (!same) {
      throw new OmnifuseError({
        code: ErrorCode.Training,
        message: `gradient worker ${k} composed a model with other weights than the main thread's`,
        step: 'workers',
        expected: this.layout.names.map((name, i) => `${name} ${this.layout.shapes[i]!.join('x')}`),
        found: ready.names.map((name, i) => `${name} ${ready.shapes[i]!.join('x')}`),
      });
    }
  }

  private request(k: number, message: ToWorker): Promise<FromWorker> {
    const reply = this.expect(k);
    this.workers[k]!.postMessage(message);
    return reply;
  }

  private expect(k: number): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(k, { resolve, reject });
    });
  }

  private settle(k: number, message: FromWorker): void {
    const pending = this.pending.get(k);
    this.pending.delete(k);
    if (message.type === 'error') pending?.reject(workerError(k, message.error));
    else pending?.resolve(message);
  }

  private fail(k: number, error: Error): void {
    if (this.failure) return;
    this.failure = new OmnifuseError({
      code: ErrorCode.Training,
      message: `gradient worker ${k} stopped: ${error.message}`,
      step: 'workers',
      cause: error,
    });
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }
}

/** The weights of `model` in `model.weights` order, with the trainable ones in `trainableWeights` order. */
function weightLayout(model: tf.LayersModel): WeightLayout {
  const weights = model.weights;
  for (const weight of weights) {
    if (weight.dtype !== 'float32') {
      throw new OmnifuseError({
        code: ErrorCode.Training,
        message: `data-parallel workers train float32 weights; ${weight.name} is ${weight.dtype}`,
        path: 'training.workers',
      });
    }
  }
  const indexOf = new Map(weights.map((weight, i) => [weight, i]));
  const trainable = model.trainableWeights.map((weight) => indexOf.get(weight)!);
  const trainableSet = new Set(trainable);
  return {
    names: weights.map((w) => w.name),
    shapes: weights.map((w) => w.shape as number[]),
    trainable,
    nonTrainable: weights.map((_, i) => i).filter((i) => !trainableSet.has(i)),
  };
}

/**
 * The worker script: the built `data-parallel-worker.js` beside this bundle, or from TypeScript
 * source (tests, the `@omnifuse/source` condition) a bootstrap that registers tsx first.
 */
function workerEntry(): { url: URL; data: Record<string, string>; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return {
      url: new URL('./source-worker.mjs', here),
      data: { entry: new URL('./worker.ts', here).href },
      execArgv: ['--conditions=@omnifuse/source'],
    };
  }
  return { url: new URL('./data-parallel-worker.js', here), data: {}, execArgv: [] };
}

function workerError(k: number, error: SerializedError): Error {
  return revivedError(
    error,
    (plain) =>
      new OmnifuseError({
        code: ErrorCode.Training,
        message: `gradient worker ${k}: ${plain.message}`,
        step: 'workers',
        details: { stack: plain.stack },
      }),
  );
}
