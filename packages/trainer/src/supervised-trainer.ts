import {
  createRng,
  ErrorCode,
  type EvaluationResult,
  hashValue,
  isStreamedTable,
  OmnifuseError,
  type StreamedTable,
  shuffled,
  type TaskSpec,
  type TensorTable,
  type TrainerFitArgs,
  type TrainerPluginV1,
  type TrainerV1,
  type TrainingHistory,
  type TrainingOptions,
  type TrainingTable,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { BestEpochTracker } from './best-epoch.js';
import { runParallel, runSequential } from './callbacks.js';
import { resolveWorkers } from './data-parallel/cores.js';
import { GradientWorkers } from './data-parallel/pool.js';
import { clipByGlobalNorm } from './gradient-clipping.js';
import { heapOverflowError } from './heap-errors.js';
import { correctCount, decisionsPerExample, exampleLosses } from './losses.js';
import { createLrScheduler } from './lr-schedules.js';
import { createOptimizer, type TrainerOptimizer } from './optimizers.js';
import { type ParamGroup, paramGroupScales, paramGroupSchema } from './param-groups.js';
import { TRAINER_ID } from './trainer-id.js';
import { type LossShaping, resolveClassWeights, trainingLoss } from './training-loss.js';
import {
  type RunState,
  restoreTrainingState,
  saveTrainingState,
  type TrainingParts,
} from './training-state.js';

export { TRAINER_ID };
export const PACKAGE_NAME = '@omnifuse/trainer';

export const supervisedTrainerOptionsSchema = z
  .object({
    /** Batch size of evaluation passes (validation each epoch, `evaluate`). */
    evaluationBatchSize: z.number().int().positive().default(256),
    /**
     * Trainable weights (by name glob) with their own base learning rate, the first matching group
     * winning; the others train at `training.learningRate`. Fine-tuning sets these.
     */
    paramGroups: z.array(paramGroupSchema).optional(),
  })
  .strict();
export type SupervisedTrainerOptions = z.output<typeof supervisedTrainerOptionsSchema>;

/**
 * A supervised training loop over tensor tables: seeded shuffling each epoch, one optimiser step per
 * batch inside `tf.tidy`, loss and accuracy per epoch on the training batches and on the validation
 * table, early stopping with restoration of the best epoch's weights, and the callback hooks with
 * the ordering `spec/trainer.ts` defines. It does not use `model.fit`, so every random draw comes
 * from the seed and every hook runs where the spec says.
 */
export function createSupervisedTrainer(options: unknown = {}): TrainerV1 {
  const parsed = supervisedTrainerOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `invalid options for ${TRAINER_ID}: ${parsed.error.issues[0]!.message}`,
      plugin: TRAINER_ID,
      step: 'create',
    });
  }
  const { evaluationBatchSize, paramGroups } = parsed.data;
  return {
    specificationVersion: 'v1',
    id: TRAINER_ID,
    streaming: true,
    fit: (args) => fit(args, evaluationBatchSize, paramGroups),
    evaluate: (model, task, data, batchSize) => evaluate(model, task, data, batchSize ?? evaluationBatchSize),
  };
}

export const supervisedTrainerPlugin: TrainerPluginV1 = {
  specificationVersion: 'v1',
  kind: 'trainer',
  id: TRAINER_ID,
  packageName: PACKAGE_NAME,
  description:
    'Supervised training loop: SGD/Adam/AdamW/RMSprop, LR schedules, gradient clipping, seeded shuffling, early stopping, best-weights restore, checkpoints and resume',
  create: createSupervisedTrainer,
};

async function fit(
  args: TrainerFitArgs,
  evaluationBatchSize: number,
  paramGroups: readonly ParamGroup[] | undefined,
): Promise<TrainingHistory> {
  const { model, task, options } = args;
  // Not `args.train` when streamed: for trainers that do not stream, that builds the whole table.
  const train: TrainingTable = args.streamed ? args.streamed.train : args.train;
  const validation: TrainingTable | undefined = args.streamed ? args.streamed.validation : args.validation;
  const callbacks = args.callbacks ?? [];
  checkOptions(options, task);
  checkTable(model, train, 'train');
  if (validation) checkTable(model, validation, 'validation');
  const started = performance.now();
  const inputNames = model.inputNames;
  const batchSize = Math.min(options.batchSize, Math.max(1, train.size));
  const batchesPerEpoch = Math.ceil(train.size / batchSize);
  const optimizer = createOptimizer(options.optimizer, options.optimizerOptions);
  const scheduler = createLrScheduler(options.lrSchedule, {
    learningRate: options.learningRate,
    epochs: options.epochs,
    stepsPerEpoch: batchesPerEpoch,
  });
  const classWeights = await resolveClassWeights(options.classWeights, task, train.target);
  const shaping: LossShaping = {
    classWeights: classWeights ? tf.tensor1d(classWeights) : null,
    labelSmoothing: options.labelSmoothing ?? 0,
  };
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const lrScales = paramGroups
    ? paramGroupScales(
        model.trainableWeights.map((w) => w.name),
        paramGroups,
        options.learningRate,
        TRAINER_ID,
      )
    : undefined;
  const perExample = decisionsPerExample(task, train.target);
  const monitor =
    options.monitor ??
    options.earlyStopping?.monitor ??
    (options.earlyStopping || (validation && validation.size > 0) ? 'val_loss' : 'loss');
  const tracker = new BestEpochTracker(monitor, options.earlyStopping?.minDelta ?? 0);
  // Shuffling and augmentation draw from generators forked by (seed, epoch) only, so an epoch
  // replays identically after a resume.
  const shuffleRng = createRng(options.seed).fork('shuffle');
  const order = Array.from({ length: train.size }, (_, i) => i);
  const parts: TrainingParts = { model, optimizer, scheduler, tracker };
  const checkpoint = args.checkpoint
    ? { ...args.checkpoint, fingerprint: runFingerprint(args, paramGroups) }
    : null;
  let run: RunState = { epochs: [], best: null, stoppedEarly: false, seconds: 0 };
  const workerCount = resolveWorkers(options.workers, { batchSize, backend: tf.getBackend() });
  let workers: GradientWorkers | null = null;

  try {
    if (checkpoint?.resume)
      run = (await restoreTrainingState(checkpoint.dir, checkpoint.fingerprint, parts)) ?? run;
    if (workerCount > 1) {
      workers = await GradientWorkers.start({
        count: workerCount,
        recipe: replicaRecipe(args),
        model,
        train,
        validation,
        classWeights,
        labelSmoothing: shaping.labelSmoothing,
        evaluationBatchSize,
        optimizer,
      });
    }
    await runSequential(callbacks, 'onTrainBegin', {
      epochs: options.epochs,
      trainSize: train.size,
      validationSize: validation?.size ?? 0,
      batchesPerEpoch,
      backend: tf.getBackend(),
      workers: workerCount,
    });
    for (let epoch = run.epochs.length; epoch < options.epochs && !run.stoppedEarly; epoch++) {
      const epochStarted = performance.now();
      const indices = options.shuffle ? shuffled(order, shuffleRng.fork(`epoch:${epoch}`)) : order;
      // A streamed table's next batch is read while the current one trains (read-ahead).
      const rowsOf = (batch: number) => indices.slice(batch * batchSize, (batch + 1) * batchSize);
      const readAhead = new ReadAhead(
        workers || !isStreamedTable(train) ? null : train,
        rowsOf,
        batchesPerEpoch,
      );
      let lossSum = 0;
      let correctSum = 0;
      let decisions = 0;
      let lr = options.learningRate;
      try {
        for (let batch = 0; batch < batchesPerEpoch; batch++) {
          const rows = rowsOf(batch);
          lr = scheduler.lrAt(epoch, batch);
          const settings = { lr, clipNorm: options.gradientClipNorm, lrScales };
          let batchLoss: number;
          let batchCorrect: number | null;
          if (workers) {
            ({ loss: batchLoss, correct: batchCorrect } = await workers.step(epoch, rows, settings));
          } else {
            const fetched = await readAhead.take(batch);
            let augmented: Readonly<Record<string, tf.Tensor>> | null = null;
            let step: ReturnType<typeof trainStep>;
            try {
              augmented = args.augment?.({ epoch, batch, rows }) ?? null;
              if (augmented) checkAugmented(train, augmented, rows.length, { epoch, batch });
              try {
                step = trainStep(
                  { model, task, table: train, inputNames, rows, augmented, fetched },
                  optimizer,
                  variables,
                  {
                    ...settings,
                    shaping,
                  },
                );
              } catch (error) {
                throw heapOverflowError(error, {
                  step: 'a training step',
                  batchSize,
                  columns: inputColumns(train),
                  plugin: TRAINER_ID,
                });
              }
            } finally {
              if (augmented) tf.dispose(Object.values(augmented));
              if (fetched) tf.dispose(Object.values(fetched));
            }
            const [loss, correct] = await Promise.all([step.loss.data(), step.correct?.data()]);
            tf.dispose([step.loss, step.correct ?? []]);
            batchLoss = loss[0]!;
            batchCorrect = correct?.[0] ?? null;
          }
          if (!Number.isFinite(batchLoss)) {
            throw new OmnifuseError({
              code: ErrorCode.Training,
              message: `the loss became ${batchLoss} at epoch ${epoch}, batch ${batch}; try a lower learning rate`,
              plugin: TRAINER_ID,
              step: 'fit',
              details: { epoch, batch, learningRate: lr },
            });
          }
          lossSum += batchLoss * rows.length;
          if (batchCorrect !== null) correctSum += batchCorrect;
          decisions += rows.length * perExample;
          await runParallel(callbacks, 'onBatchEnd', { epoch, batch, batchesPerEpoch, loss: batchLoss });
        }
      } finally {
        readAhead.dispose();
      }
      // The weights and optimiser state back from the workers' shared memory, for what follows.
      workers?.syncModel();
      const metrics: Record<string, number> = { loss: lossSum / train.size };
      if (task.type !== 'regression') metrics.accuracy = correctSum / decisions;
      if (validation && validation.size > 0) {
        const result = workers
          ? await parallelEvaluate(workers, task, validation)
          : await evaluate(model, task, validation, evaluationBatchSize);
        metrics.val_loss = result.loss;
        if (result.accuracy !== undefined) metrics.val_accuracy = result.accuracy;
      }
      // The rate of the epoch's last step.
      metrics.lr = lr;
      run.epochs.push(metrics);
      if (tracker.update(epoch, metrics) && options.restoreBestWeights) {
        tf.dispose(run.best ?? []);
        run.best = model.weights.map((w) => tf.clone(w.read()));
      }
      scheduler.epochEnd(metrics);
      const answers = await runSequential(callbacks, 'onEpochEnd', {
        epoch,
        metrics: { ...metrics },
        seconds: (performance.now() - epochStarted) / 1000,
      });
      const stopRequested = answers.some((answer) => answer?.stop === true);
      const patienceRunOut =
        options.earlyStopping !== undefined &&
        tracker.wait > 0 &&
        tracker.wait >= options.earlyStopping.patience;
      if ((stopRequested || patienceRunOut) && epoch < options.epochs - 1) run.stoppedEarly = true;
      if (checkpoint) {
        const seconds = run.seconds + (performance.now() - started) / 1000;
        await saveTrainingState(checkpoint.dir, checkpoint.fingerprint, parts, { ...run, seconds });
      }
    }
    if (run.best && tracker.bestEpoch !== run.epochs.length - 1) {
      model.weights.forEach((w, i) => {
        w.write(run.best![i]!);
      });
    }
  } finally {
    await workers?.close();
    tf.dispose(run.best ?? []);
    tf.dispose(shaping.classWeights ?? []);
    optimizer.dispose();
  }
  const history: TrainingHistory = {
    epochs: run.epochs,
    bestEpoch: tracker.bestEpoch,
    stoppedEarly: run.stoppedEarly,
    seconds: run.seconds + (performance.now() - started) / 1000,
  };
  await runSequential(callbacks, 'onTrainEnd', { history });
  return history;
}

/**
 * What must match for a checkpoint to be resumed: the training options, the caller's fingerprint
 * (encoders, labels), the model's weights by name and shape, and the tables' shapes.
 */
function runFingerprint(args: TrainerFitArgs, paramGroups: readonly ParamGroup[] | undefined): string {
  const shapes = (table?: TrainingTable) =>
    table && {
      size: table.size,
      // The same for a streamed table as for the tensors, so a run resumes in either form.
      inputs: Object.fromEntries(inputColumns(table).map(([name, c]) => [name, [table.size, ...c.shape]])),
      target: table.target.shape,
    };
  // Whether the splits stream changes nothing a checkpoint holds.
  const { streaming: _streaming, ...options } = args.options;
  const train = args.streamed ? args.streamed.train : args.train;
  const validation = args.streamed ? args.streamed.validation : args.validation;
  return hashValue({
    options,
    caller: args.checkpoint?.fingerprint ?? null,
    weights: args.model.weights.map((w) => [w.name, w.shape]),
    train: shapes(train),
    validation: shapes(validation),
    // Only when set, so checkpoints written before param groups existed still resume.
    ...(paramGroups ? { paramGroups, trainable: args.model.trainableWeights.map((w) => w.name) } : {}),
  });
}

interface StepInputs {
  readonly model: tf.LayersModel;
  readonly task: TaskSpec;
  readonly table: TrainingTable;
  readonly inputNames: readonly string[];
  readonly rows: readonly number[];
  readonly augmented: Readonly<Record<string, tf.Tensor>> | null;
  /** The rows' inputs read from a streamed table (null: gathered from the table's tensors). */
  readonly fetched: Readonly<Record<string, tf.Tensor>> | null;
}

/**
 * Reads a streamed table's batches one ahead: `take(b)` returns batch b's inputs (the caller
 * disposes them) and starts reading batch b + 1, whose reads run on libuv's threads while batch b
 * trains. Without a streamed table it reads nothing and `take` returns null.
 */
class ReadAhead {
  private pending: { batch: number; read: Promise<Record<string, tf.Tensor>> } | null = null;

  constructor(
    private readonly table: StreamedTable | null,
    private readonly rowsOf: (batch: number) => readonly number[],
    private readonly batches: number,
  ) {}

  async take(batch: number): Promise<Record<string, tf.Tensor> | null> {
    if (!this.table) return null;
    const read =
      this.pending?.batch === batch ? this.pending.read : this.table.readInputs(this.rowsOf(batch));
    this.pending = null;
    if (batch + 1 < this.batches)
      this.pending = { batch: batch + 1, read: this.table.readInputs(this.rowsOf(batch + 1)) };
    return read;
  }

  /** Disposes a batch read ahead and never taken (the epoch ended early or failed). */
  dispose(): void {
    const pending = this.pending;
    this.pending = null;
    pending?.read.then(
      (tensors) => tf.dispose(Object.values(tensors)),
      () => {},
    );
  }
}

/**
 * One optimiser step on the rows given, with `augmented` inputs in place of the table's: the
 * gradients of the training objective, clipped by global norm when asked, applied at rate `lr`.
 * Returns the batch's objective and correct count, kept.
 */
function trainStep(
  inputs: StepInputs,
  optimizer: TrainerOptimizer,
  variables: tf.Variable[],
  settings: {
    lr: number;
    shaping: LossShaping;
    clipNorm: number | undefined;
    lrScales: readonly number[] | undefined;
  },
): { loss: tf.Scalar; correct: tf.Scalar | null } {
  const { model, task, table, inputNames, rows, augmented, fetched } = inputs;
  let correct = null as tf.Scalar | null;
  const loss = tf.tidy(() => {
    const index = tf.tensor1d(rows as number[], 'int32');
    const batch = inputNames.map(
      (name) =>
        augmented?.[name] ?? fetched?.[name] ?? tf.gather((table as TensorTable).inputs[name]!, index),
    );
    const target = tf.gather(table.target, index);
    const { value, grads } = tf.variableGrads(() => {
      const prediction = model.apply(batch, { training: true }) as tf.Tensor;
      const counted = correctCount(task, target, prediction);
      // Kept past both tidy scopes; the caller disposes it with the loss.
      correct = counted ? tf.keep(counted) : null;
      return trainingLoss(task, target, prediction, settings.shaping);
    }, variables);
    let gradients: (tf.Tensor | null)[] = variables.map((v) => grads[v.name] ?? null);
    if (settings.clipNorm !== undefined) gradients = clipByGlobalNorm(gradients, settings.clipNorm).gradients;
    optimizer.step(variables, gradients, settings.lr, settings.lrScales);
    return value;
  });
  return { loss, correct };
}

async function parallelEvaluate(
  workers: GradientWorkers,
  task: TaskSpec,
  data: TrainingTable,
): Promise<EvaluationResult> {
  const { lossSum, correct } = await workers.evaluate();
  const result: EvaluationResult = { loss: lossSum / data.size, size: data.size };
  if (task.type === 'regression') return result;
  return { ...result, accuracy: (correct ?? 0) / (data.size * decisionsPerExample(task, data.target)) };
}

/** The recipe workers compose their replicas from; `train()` and `fineTune()` give one. */
function replicaRecipe(args: TrainerFitArgs): NonNullable<TrainerFitArgs['replica']> {
  if (!args.replica) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message:
        'training.workers above 1 needs the model replica recipe (TrainerFitArgs.replica) that train() and fineTune() pass',
      path: 'training.workers',
      plugin: TRAINER_ID,
    });
  }
  if (args.augment && !args.replica.augment) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'inputs augment, but the replica recipe has no augment records for the workers',
      path: 'training.workers',
      plugin: TRAINER_ID,
    });
  }
  return args.replica;
}

/**
 * Mean loss (and accuracy) over a table, in order and in batches, without dropout; a streamed table
 * is read a batch at a time, the next batch read while one is scored.
 */
export async function evaluate(
  model: tf.LayersModel,
  task: TaskSpec,
  data: TrainingTable,
  batchSize = 256,
): Promise<EvaluationResult> {
  checkTable(model, data, 'evaluation');
  if (data.size === 0)
    return { loss: Number.NaN, size: 0, ...(task.type === 'regression' ? {} : { accuracy: Number.NaN }) };
  const inputNames = model.inputNames;
  const perExample = decisionsPerExample(task, data.target);
  let lossSum = 0;
  let correctSum = 0;
  let decisions = 0;
  const batches = Math.ceil(data.size / batchSize);
  const rowsOf = (batch: number) => {
    const start = batch * batchSize;
    return Array.from({ length: Math.min(batchSize, data.size - start) }, (_, i) => start + i);
  };
  const readAhead = new ReadAhead(isStreamedTable(data) ? data : null, rowsOf, batches);
  for (let batch = 0; batch < batches; batch++) {
    const start = batch * batchSize;
    const size = Math.min(batchSize, data.size - start);
    let correct = null as tf.Scalar | null;
    let fetched: Record<string, tf.Tensor> | null;
    try {
      fetched = await readAhead.take(batch);
    } catch (error) {
      readAhead.dispose();
      throw error;
    }
    const run = () =>
      tf.tidy(() => {
        const inputs = inputNames.map(
          (name) => fetched?.[name] ?? (data as TensorTable).inputs[name]!.slice(start, size),
        );
        const target = data.target.slice(start, size);
        const prediction = model.predict(inputs) as tf.Tensor;
        const counted = correctCount(task, target, prediction);
        correct = counted ? tf.keep(counted) : null;
        return tf.sum(exampleLosses(task, target, prediction));
      });
    let loss: tf.Tensor;
    try {
      loss = run();
    } catch (error) {
      if (fetched) tf.dispose(Object.values(fetched));
      readAhead.dispose();
      throw heapOverflowError(error, {
        step: 'evaluation',
        batchSize,
        columns: inputColumns(data),
        plugin: TRAINER_ID,
      });
    }
    if (fetched) tf.dispose(Object.values(fetched));
    const [lossValue, correctValue] = await Promise.all([loss.data(), correct?.data()]);
    tf.dispose([loss, correct ?? []]);
    lossSum += lossValue[0]!;
    if (correctValue) correctSum += correctValue[0]!;
    decisions += size * perExample;
  }
  const result: EvaluationResult = { loss: lossSum / data.size, size: data.size };
  return task.type === 'regression' ? result : { ...result, accuracy: correctSum / decisions };
}

/** Augmented tensors replace table inputs: same input names, dtype and row shape, one row per batch row. */
function checkAugmented(
  table: TrainingTable,
  augmented: Readonly<Record<string, tf.Tensor>>,
  rows: number,
  at: { epoch: number; batch: number },
): void {
  const columns = Object.fromEntries(inputColumns(table));
  for (const [name, tensor] of Object.entries(augmented)) {
    const original = columns[name];
    const expected = original && { dtype: original.dtype, shape: [rows, ...original.shape] };
    const fits =
      expected &&
      tensor.dtype === expected.dtype &&
      tensor.shape.length === expected.shape.length &&
      tensor.shape.every((dim, i) => dim === expected.shape[i]);
    if (!fits) {
      throw new OmnifuseError({
        code: ErrorCode.Training,
        message: original
          ? `augmented input "${name}" does not match the batch`
          : `augmentation returned a tensor for "${name}", which is no model input`,
        plugin: TRAINER_ID,
        step: 'augment',
        expected: expected ?? Object.keys(columns),
        found: { dtype: tensor.dtype, shape: tensor.shape },
        details: at,
      });
    }
  }
}

function checkOptions(options: TrainingOptions, task: TaskSpec): void {
  const bad = (path: string, expected: string, found: unknown): never => {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'invalid training option',
      path,
      expected,
      found,
    });
  };
  if (!Number.isInteger(options.epochs) || options.epochs < 1)
    bad('training.epochs', 'an integer ≥ 1', options.epochs);
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    bad('training.batchSize', 'an integer ≥ 1', options.batchSize);
  }
  if (!(options.learningRate > 0)) bad('training.learningRate', 'a positive number', options.learningRate);
  if (!['adam', 'adamw', 'sgd', 'rmsprop'].includes(options.optimizer)) {
    bad('training.optimizer', 'adam, adamw, sgd or rmsprop', options.optimizer);
  }
  if (options.gradientClipNorm !== undefined && !(options.gradientClipNorm > 0))
    bad('training.gradientClipNorm', 'a positive number', options.gradientClipNorm);
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) bad('training.labelSmoothing', 'a number in [0, 1]', smoothing);
  for (const key of ['classWeights', 'labelSmoothing'] as const) {
    if (options[key] !== undefined && task.type !== 'classification')
      bad(`training.${key}`, 'a classification task', task.type);
  }
}

/** Each model input's row shape and dtype, by name, for either form of a table. */
function inputColumns(table: TrainingTable): [string, { shape: readonly number[]; dtype: string }][] {
  if (isStreamedTable(table)) return Object.entries(table.columns);
  return Object.entries(table.inputs).map(([name, t]) => [name, { shape: t.shape.slice(1), dtype: t.dtype }]);
}

/** Every model input is in the table with the table's row count, and so is the target. */
function checkTable(model: tf.LayersModel, table: TrainingTable, name: string): void {
  const fail = (message: string, expected?: unknown, found?: unknown): never => {
    throw new OmnifuseError({
      code: ErrorCode.Training,
      message: `${name} table: ${message}`,
      plugin: TRAINER_ID,
      expected,
      found,
    });
  };
  if (isStreamedTable(table)) {
    for (const input of model.inputNames) {
      if (!table.columns[input])
        fail(`no column for model input "${input}"`, model.inputNames, Object.keys(table.columns));
    }
  } else {
    for (const input of model.inputNames) {
      const tensor = table.inputs[input];
      if (!tensor) fail(`no tensor for model input "${input}"`, model.inputNames, Object.keys(table.inputs));
      if (tensor!.shape[0] !== table.size)
        fail(`input "${input}" has another row count`, table.size, tensor!.shape[0]);
    }
  }
  if (table.target.shape[0] !== table.size)
    fail('the target has another row count', table.size, table.target.shape[0]);
  const units = model.outputs[0]!.shape.at(-1);
  if (table.target.shape.at(-1) !== units)
    fail('the target width differs from the model output', units, table.target.shape);
}
