import { Worker } from 'node:worker_threads';
import {
  ErrorCode,
  type ModelReplicaRecipe,
  OmnifuseError,
  type OmnifuseErrorFields,
  type TensorTable,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { layersWithCalls } from '../training-state.js';
import { shardRows } from './cores.js';
import {
  type FromWorker,
  offsetsOf,
  type SerializedError,
  type ToWorker,
  type WeightLayout,
  type WorkerInit,
} from './protocol.js';
import { shareTable } from './shared-table.js';

export interface GradientWorkersOptions {
  readonly count: number;
  readonly recipe: ModelReplicaRecipe;
  /** The main thread's model: its weights are the truth, sent to the workers after every step. */
  readonly model: tf.LayersModel;
  readonly train: TensorTable;
  readonly validation?: TensorTable;
  readonly classWeights: readonly number[] | null;
  readonly labelSmoothing: number;
  readonly evaluationBatchSize: number;
}

/** A batch's combined result: the gradients of the training objective and its value. */
export interface ParallelStep {
  /** Trainable weights in `model.trainableWeights` order; null where no worker got a gradient. */
  readonly gradients: (tf.Tensor | null)[];
  readonly loss: number;
  readonly correct: number | null;
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
  ) {
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
    );
    try {
      const ready = await Promise.all(workers.map((_, k) => pool.expect(k)));
      ready.forEach((message, k) => {
        pool.checkReplica(k, message);
      });
      await pool.publishWeights();
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get count(): number {
    return this.workers.length;
  }

  /** Copies the main model's weights into shared memory; call after every change to them. */
  async publishWeights(): Promise<void> {
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
   * The gradients of the batch `rows` (table rows, in batch order): each worker takes its shard
   * and returns Σ wᵢ·∇lossᵢ; their sum in worker order over Σ wᵢ is the batch's. Also moves the
   * main model's batch-norm statistics and random-layer draw counts on as one step would.
   */
  async step(epoch: number, rows: readonly number[]): Promise<ParallelStep> {
    const random = [...layersWithCalls(this.model).values()];
    const randomStates = random.map((layer) => layer.getRandomState());
    const shards = shardRows(rows, this.workers.length);
    const active = shards.flatMap((shard, k) => (shard.length > 0 ? [k] : []));
    const starts = shards.map((_, k) => shards.slice(0, k).reduce((sum, shard) => sum + shard.length, 0));
    const replies = await Promise.all(
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
    );
    const stepped = replies as Extract<FromWorker, { type: 'stepped' }>[];
    let lossSum = 0;
    let weight = 0;
    let correct: number | null = null;
    for (const reply of stepped) {
      lossSum += reply.lossSum;
      weight += reply.weight;
      if (reply.correct !== null) correct = (correct ?? 0) + reply.correct;
    }
    const gradients = this.combineGradients(active, stepped, weight);
    this.combineStatistics(active, shards, rows.length);
    random.forEach((layer, i) => {
      layer.setRandomState(randomStates[i]! + stepped[0]!.randomDraws[i]!);
    });
    return { gradients, loss: lossSum / weight, correct };
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

  private combineGradients(
    active: readonly number[],
    replies: readonly Extract<FromWorker, { type: 'stepped' }>[],
    weight: number,
  ): (tf.Tensor | null)[] {
    const { offsets, total } = offsetsOf(this.layout, this.layout.trainable);
    const sum = new Float64Array(total);
    for (const k of active) {
      const gradients = new Float32Array(this.buffers.gradients[k]!);
      for (let i = 0; i < total; i++) sum[i]! += gradients[i]!;
    }
    const mean = new Float32Array(total);
    for (let i = 0; i < total; i++) mean[i] = sum[i]! / weight;
    const missing = replies.map((reply) => new Set(reply.noGradient));
    return this.layout.trainable.map((index, j) => {
      if (missing.every((set) => set.has(j))) return null;
      const shape = this.layout.shapes[index]!;
      const size = shape.reduce((a, b) => a * b, 1);
      return tf.tensor(mean.subarray(offsets[j]!, offsets[j]! + size), shape as number[], 'float32');
    });
  }

  /** The non-trainable weights after the step: the workers' averaged by shard size. */
  private combineStatistics(active: readonly number[], shards: readonly number[][], rows: number): void {
    if (this.layout.nonTrainable.length === 0) return;
    const { offsets, total } = offsetsOf(this.layout, this.layout.nonTrainable);
    const sum = new Float64Array(total);
    for (const k of active) {
      const share = shards[k]!.length / rows;
      const statistics = new Float32Array(this.buffers.statistics[k]!);
      for (let i = 0; i < total; i++) sum[i]! += share * statistics[i]!;
    }
    const averaged = Float32Array.from(sum);
    tf.tidy(() => {
      this.layout.nonTrainable.forEach((index, j) => {
        const weight = this.model.weights[index]!;
        const size = weight.shape.reduce((a, b) => a! * b!, 1)!;
        weight.write(tf.tensor(averaged.subarray(offsets[j]!, offsets[j]! + size), weight.shape as number[]));
      });
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
  const fields = error.fields as OmnifuseErrorFields | undefined;
  if (fields?.code) return new OmnifuseError({ ...fields, message: error.message });
  return new OmnifuseError({
    code: ErrorCode.Training,
    message: `gradient worker ${k}: ${error.message}`,
    step: 'workers',
    details: { stack: error.stack },
  });
}
