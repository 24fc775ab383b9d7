/**
 * A data-parallel training worker: composes a replica of the model from the recipe (its own plugin
 * registry and backend, in this thread), then for each message computes the gradients of one shard
 * of a batch, or the loss of a range of the validation table, reading the weights and the tables
 * from shared memory and writing the gradients back to it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  type BackendChoice,
  type ComposedModel,
  composeModel,
  createRng,
  type FittedEncoder,
  featureArrayType,
  inPluginStepSync,
  type ModelSpec,
  parseModelSpec,
  setBatchShard,
  tensorDTypeOf,
} from '@omnifuse/core';
import { selectBackend } from '@omnifuse/runtime';
import * as tf from '@tensorflow/tfjs';
import { freezeLayersByName } from '../fine-tune-layers.js';
import { heapOverflowError } from '../heap-errors.js';
import { correctCount, exampleLosses } from '../losses.js';
import { createSpecFusion } from '../spec-parts.js';
import { augmentRows } from '../tables.js';
import { serializeError } from '../thread-errors.js';
import { TRAINER_ID } from '../trainer-id.js';
import { type LossShaping, trainingLossSum } from '../training-loss.js';
import { layersWithCalls } from '../training-state.js';
import { type FromWorker, offsetsOf, type ToWorker, type WorkerInit } from './protocol.js';
import { replicaRegistry } from './recipe.js';
import { gatherRows, rowSize, type SharedTable } from './shared-table.js';

const init = workerData as WorkerInit;
const port = parentPort!;

const send = (message: FromWorker) => port.postMessage(message);

async function start(): Promise<void> {
  const { recipe } = init;
  await selectBackend(recipe.backend as BackendChoice);
  const registry = await replicaRegistry(recipe);
  const spec = parseModelSpec(recipe.spec) as ModelSpec;
  const encoders: Record<string, FittedEncoder> = {};
  for (const input of spec.inputs) {
    const saved = recipe.encoders[input.field]!;
    const encoder = inPluginStepSync({ plugin: saved.id, step: 'create', field: input.field }, () =>
      registry.encoder(saved.id).create(input.options),
    );
    encoders[input.field] = { encoder, state: saved.state };
  }
  const fusion = createSpecFusion(spec, registry);
  const composed = composeModel({ tf, spec, encoders, fusion, task: recipe.task, seed: recipe.seed });
  // As fine-tuning froze them in the main thread's model.
  if (recipe.frozenLayers) freezeLayersByName(composed.model, recipe.frozenLayers);
  const replica = new Replica(composed, encoders);
  port.on('message', (message: ToWorker) => {
    try {
      send(replica.handle(message));
    } catch (error) {
      send({ type: 'error', error: serializeError(error) });
    }
  });
  send({
    type: 'ready',
    names: composed.model.weights.map((w) => w.name),
    shapes: composed.model.weights.map((w) => w.shape as number[]),
  });
}

class Replica {
  private readonly model: tf.LayersModel;
  private readonly weights: tf.LayerVariable[];
  private readonly variables: tf.Variable[];
  private readonly random: ReturnType<typeof layersWithCalls> extends Map<string, infer L> ? L[] : never;
  private readonly shaping: LossShaping;
  private loadedVersion = -1;

  constructor(
    private readonly composed: ComposedModel,
    private readonly encoders: Record<string, FittedEncoder>,
  ) {
    this.model = composed.model;
    this.weights = this.model.weights;
    this.variables = init.layout.trainable.map((index) => this.weights[index]!.read() as tf.Variable);
    this.random = [...layersWithCalls(this.model).values()];
    this.shaping = {
      classWeights: init.classWeights ? tf.tensor1d(init.classWeights as number[]) : null,
      labelSmoothing: init.labelSmoothing,
    };
  }

  handle(message: ToWorker): FromWorker {
    this.loadWeights(message.weightsVersion);
    try {
      return message.type === 'step' ? this.step(message) : this.evaluate(message.start, message.end);
    } catch (error) {
      // As on the main thread: a heap that overflows names the batch and the inputs' sizes.
      throw heapOverflowError(error, {
        step: message.type === 'step' ? "a worker's share of a training step" : "a worker's evaluation",
        batchSize: message.type === 'step' ? message.rows.length : init.evaluationBatchSize,
        columns: this.model.inputNames.map(
          (name, i) => [name, { shape: (this.model.inputs[i]!.shape as number[]).slice(1) }] as const,
        ),
        plugin: TRAINER_ID,
      });
    }
  }

  /** Copies the shared weights into this replica's variables when the main thread changed them. */
  private loadWeights(version: number): void {
    if (version === this.loadedVersion) return;
    const all = new Float32Array(init.weights);
    let offset = 0;
    tf.tidy(() => {
      for (const weight of this.weights) {
        const size = weight.shape.reduce((a, b) => a! * b!, 1)!;
        weight.write(tf.tensor(all.slice(offset, offset + size), weight.shape as number[]));
        offset += size;
      }
    });
    this.loadedVersion = version;
  }

  private step(message: Extract<ToWorker, { type: 'step' }>): FromWorker {
    const { rows, epoch } = message;
    this.random.forEach((layer, i) => {
      layer.setRandomState(message.randomStates[i]!);
    });
    // Dropout masks: the whole batch's, this shard's rows (as one thread would draw them).
    setBatchShard({ start: message.shardStart, batchSize: message.batchSize });
    let correct: number | null = null;
    let weight = 0;
    const noGradient: number[] = [];
    const lossSum = tf.tidy(() => {
      const inputs = this.batch(init.train, rows, epoch);
      const target = this.column(init.train, null, rows);
      let value: tf.Scalar;
      let grads: tf.NamedTensorMap;
      try {
        ({ value, grads } = tf.variableGrads(() => {
          const prediction = this.model.apply(inputs, { training: true }) as tf.Tensor;
          // Read inside: the gradient tape disposes what the function made besides its result.
          correct = correctCount(init.recipe.task, target, prediction)?.dataSync()[0] ?? null;
          const parts = trainingLossSum(init.recipe.task, target, prediction, this.shaping);
          weight = parts.weight.dataSync()[0]!;
          return parts.sum;
        }, this.variables));
      } finally {
        setBatchShard(null);
      }
      const out = new Float32Array(init.gradients);
      const { offsets } = offsetsOf(init.layout, init.layout.trainable);
      this.variables.forEach((variable, j) => {
        const gradient = grads[variable.name];
        const size = variable.size;
        if (gradient) out.set(gradient.dataSync() as Float32Array, offsets[j]!);
        else {
          out.fill(0, offsets[j]!, offsets[j]! + size);
          noGradient.push(j);
        }
      });
      return value.dataSync()[0]!;
    });
    const statistics = new Float32Array(init.statistics);
    const { offsets } = offsetsOf(init.layout, init.layout.nonTrainable);
    init.layout.nonTrainable.forEach((index, j) => {
      statistics.set(this.weights[index]!.read().dataSync() as Float32Array, offsets[j]!);
    });
    const randomDraws = this.random.map((layer, i) => layer.getRandomState() - message.randomStates[i]!);
    return { type: 'stepped', lossSum, weight, correct, noGradient, randomDraws };
  }

  private evaluate(start: number, end: number): FromWorker {
    const table = init.validation!;
    let lossSum = 0;
    let correct: number | null = null;
    for (let from = start; from < end; from += init.evaluationBatchSize) {
      const rows = range(from, Math.min(end, from + init.evaluationBatchSize));
      let loss = 0;
      let count: number | null = null;
      tf.tidy(() => {
        const inputs = this.batch(table, rows, null);
        const target = this.column(table, null, rows);
        const prediction = this.model.predict(inputs) as tf.Tensor;
        count = correctCount(init.recipe.task, target, prediction)?.dataSync()[0] ?? null;
        loss = tf.sum(exampleLosses(init.recipe.task, target, prediction)).dataSync()[0]!;
      });
      lossSum += loss;
      if (count !== null) correct = (correct ?? 0) + count;
    }
    return { type: 'evaluated', lossSum, correct };
  }

  /** The model's inputs for the rows, augmented (training rows, `epoch` given) where encoders augment. */
  private batch(table: SharedTable, rows: readonly number[], epoch: number | null): tf.Tensor[] {
    const augment = init.recipe.augment;
    return this.model.inputNames.map((name) => {
      const input = this.composed.inputs.find((i) => i.featureInput === name);
      const fitted = input && this.encoders[input.field];
      if (epoch === null || !augment || !input || !fitted?.encoder.augment)
        return this.column(table, name, rows);
      // The batch's rows read once (from shared memory or the packed file), then handed out row by row.
      const features = table.inputs[name]!;
      const size = rowSize(features);
      const batchFeatures = gatherRows(features, rows);
      const presence = gatherRows(table.inputs[input.presenceInput]!, rows);
      const at = new Map(rows.map((row, i) => [row, i]));
      const featureArray = featureArrayType(input.featureSpec.dtype);
      const data = augmentRows({
        field: input.field,
        featureSpec: input.featureSpec,
        fitted,
        rows,
        epoch,
        root: createRng(augment.seed),
        recordOf: (row) => augment.records[row]!,
        present: (row) => presence[at.get(row)!] !== 0,
        // The table holds uint8 features as float32: back to the feature's own array type.
        featureOf: (row) => {
          const i = at.get(row)!;
          const feature = new featureArray(size);
          feature.set(batchFeatures.subarray(i * size, (i + 1) * size));
          return feature;
        },
      });
      return tf.tensor(
        data,
        [rows.length, ...input.featureSpec.shape],
        tensorDTypeOf(input.featureSpec.dtype),
      );
    });
  }

  /** A column's rows as a tensor (`name` null: the target). */
  private column(table: SharedTable, name: string | null, rows: readonly number[]): tf.Tensor {
    const column = name === null ? table.target : table.inputs[name]!;
    return tf.tensor(gatherRows(column, rows), [rows.length, ...column.shape.slice(1)], column.dtype);
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

start().catch((error: unknown) => {
  send({ type: 'error', error: serializeError(error) });
});
