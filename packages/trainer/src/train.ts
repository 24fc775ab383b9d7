import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  composeModel,
  type DataCheckReport,
  type Dataset,
  ErrorCode,
  type FeatureCache,
  type FittedEncoder,
  hashValue,
  type LoadManifestOptions,
  loadManifest,
  loadModelSpec,
  type ModelSpec,
  type ModelSpecInput,
  OmnifuseError,
  type PluginList,
  parseModelSpec,
  type Registry,
  type SavedBundle,
  saveBundle,
  skippedRecords,
  type TaskSpec,
  type TrainerCallbacks,
  type TrainingHistory,
  type TrainingOptions,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { type BackendOption, useBackendWithLabel } from './backend.js';
import { pluginModules, replicaRecipe } from './data-parallel/recipe.js';
import { encodeTargets, fitLabels } from './labels.js';
import { resolveRegistry } from './plugins.js';
import { createPredictor, type Predictor } from './predictor.js';
import { createProgressReporter, type ProgressOptions } from './progress.js';
import type { EvaluationReport } from './report/build-report.js';
import type { EvaluationMetrics } from './report/model-outputs.js';
import { writeReport } from './report/write-report.js';
import { evaluateSplits, prepareRunTables, type RunTables } from './run-tables.js';
import { createSpecEncoders, createSpecFusion, specTask } from './spec-parts.js';
import { checkedSplit } from './split-tables.js';
import { TrainerTables } from './streaming/trainer-tables.js';
import { createBatchAugmenter, fitEncoders } from './tables.js';

export interface TrainOptions {
  /** The model spec as an object (validated here), or… */
  readonly spec?: ModelSpecInput | ModelSpec;
  /** …a JSON/YAML spec file; its `data` and `plugins` resolve relative to its folder. */
  readonly specPath?: string;
  /** Plugins given in code, on top of those the spec names and the built-ins. */
  readonly registry?: Registry | PluginList;
  /** The data as a loaded dataset, or… */
  readonly dataset?: Dataset;
  /** …a manifest file; defaults to the spec's `data`. */
  readonly manifestPath?: string;
  /** Options for reading the manifest, e.g. `fieldTypes`. */
  readonly manifestOptions?: LoadManifestOptions;
  /** Where to save the model bundle; nothing is saved without it. */
  readonly bundleDir?: string;
  /** Overrides the spec's `backend`; a backend selected already (`selectBackend`) is used as it is. */
  readonly backend?: BackendOption;
  readonly callbacks?: readonly TrainerCallbacks[];
  /** Report progress on stderr (a bar on a terminal, JSON lines otherwise). */
  readonly progress?: boolean | ProgressOptions;
  /**
   * Feature cache folder, default `<data root>/.omnifuse-cache`; `false` turns caching off, and a
   * `FeatureCache` object is used as is.
   */
  readonly cache?: string | false | FeatureCache;
  /**
   * Folder to write the evaluation report to (`report.json`, `report.html`): the test split's, or
   * the validation split's when there is no test split, with the training history and fusion weights.
   */
  readonly reportDir?: string;
  /** Base folder for a spec given in code (its `data` and relative plugin paths); default: cwd. */
  readonly baseDir?: string;
  /**
   * Where to write a checkpoint after every epoch; default `<bundleDir>/checkpoints` when
   * `bundleDir` is given (removed once the run is complete, since the bundle replaces that folder),
   * `false` for none.
   */
  readonly checkpointDir?: string | false;
  /**
   * Continue from the last complete checkpoint in `checkpointDir` (needs the same spec and data;
   * starts afresh when there is none). A damaged checkpoint is skipped for the one before it.
   */
  readonly resume?: boolean;
  /**
   * Overrides the spec's `onInvalid`: `'fail'` throws `E_INVALID_DATA` with every invalid record in
   * `details.report` (found by the data check before fitting, or while preprocessing); `'skip'`
   * trains on the rest and lists the skipped records in the result, the report and the bundle.
   */
  readonly onInvalid?: 'fail' | 'skip';
  /** Receives the data check's report (before anything is fitted), e.g. to print it. */
  readonly onCheck?: (report: DataCheckReport, onInvalid: 'fail' | 'skip') => void;
  /** Overrides the spec's `training.workers` (data-parallel gradient threads). */
  readonly workers?: 'auto' | number;
  /**
   * Preprocessing threads (see `createPreprocessPool`): `auto` (default) uses the physical cores for
   * image and audio fields of 2,000 records or more; 1 keeps everything on the calling thread.
   */
  readonly jobs?: 'auto' | number;
}

export interface TrainResult {
  /** The saved bundle, when `bundleDir` was given. */
  readonly bundle: SavedBundle | null;
  /** The trained model, ready to predict. */
  readonly model: Predictor;
  readonly history: TrainingHistory;
  readonly metrics: { readonly validation?: EvaluationMetrics; readonly test?: EvaluationMetrics };
  /** The evaluation report of the test split (else the validation split); null without either. */
  readonly report: EvaluationReport | null;
  readonly labels: readonly string[];
  readonly backend: string;
  /**
   * The data check over every split, with the records that failed while preprocessing added: under
   * `onInvalid: 'skip'`, `invalidRecords` are the records left out of training and evaluation.
   */
  readonly dataCheck: DataCheckReport;
}

/**
 * Trains the model a spec describes, end to end: loads the plugins the spec names, picks the
 * backend, loads and splits the data, fits every encoder and the label map on the training split
 * only, preprocesses each split through the feature cache, composes the model, fits it (augmenting
 * training batches with the encoders that have `augment`, seeded by `training.seed`), scores it on
 * the validation and test splits, and saves a bundle.
 *
 * Labels: classification and multi-label outputs use `output.labels` when given, else the labels of
 * the training split; a validation or test record whose label is not among them is an error that
 * names the record (list every label in `output.labels` to train on a split that lacks some).
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { spec, baseDir } = resolveSpec(options);
  const registry = await resolveRegistry({ specifiers: spec.plugins, baseDir, registry: options.registry });
  const { tfjsBackend: backend, label: backendLine } = await useBackendWithLabel(
    options.backend ?? spec.backend,
  );
  // Every plugin is created (its options validated) before any data is read.
  const created = createSpecEncoders(spec, registry);
  const fusion = createSpecFusion(spec, registry);
  const dataset = options.dataset ?? (await loadData(options, spec, baseDir));
  const onInvalid = options.onInvalid ?? spec.onInvalid;
  const checked = await checkedSplit(dataset, spec, {
    registry,
    created,
    onInvalid,
    onCheck: options.onCheck,
  });
  const { split } = checked;
  const trainSet = split.datasets.train;
  if (trainSet.size === 0) throw emptyTrainingSplit(dataset, checked.dataCheck.invalid);

  const labels = fitLabels(specTask(spec), trainSet);
  const task: TaskSpec & { labels: readonly string[] } = { ...specTask(spec), labels };
  const encoders = await fitEncoders(spec, registry, trainSet, created);
  const seed = spec.training.seed;
  const composed = composeModel({ tf, spec, encoders, fusion, task, seed });
  let run: RunTables | null = null;
  let trainerTables: TrainerTables | null = null;
  try {
    run = await prepareRunTables({
      dataset,
      split,
      spec,
      inputs: composed.inputs,
      encoders,
      dataCheck: checked.dataCheck,
      onInvalid,
      cache: options.cache,
      pool: { jobs: options.jobs, plugins: pluginModules({ spec, baseDir, registry, encoders }) },
      targets: (part: Dataset) => encodeTargets(task, labels, part),
    });
    const { tables, parts, dataCheck, augmentable } = run;

    const trainer = registry.trainer(spec.training.trainer).create({});
    // A trainer that does not stream gets (and evaluates) the splits as tensors.
    trainerTables = new TrainerTables(trainer);
    const checkpointDir = resolveCheckpointDir(options);
    const callbacks = [...(options.callbacks ?? [])];
    if (options.progress)
      callbacks.push(
        createProgressReporter({
          backend: backendLine,
          ...(options.progress === true ? {} : options.progress),
        }),
      );
    const history = await trainer.fit(
      trainerTables.fitArgs(
        {
          model: composed.model,
          task,
          options: trainingOptions(spec, options.workers),
          callbacks,
          augment: createBatchAugmenter(parts.train, augmentable, seed),
          replica: replicaRecipe({
            spec,
            baseDir,
            registry,
            encoders,
            task,
            seed,
            backend,
            ...(augmentable.length > 0 ? { augment: { records: parts.train.ids, seed } } : {}),
          }),
          checkpoint: checkpointDir
            ? {
                dir: checkpointDir,
                resume: options.resume,
                fingerprint: preprocessingFingerprint(labels, encoders),
              }
            : undefined,
        },
        tables.train!,
        tables.validation,
      ),
    );
    // The default folder lies inside the bundle folder, which saving replaces as a whole.
    if (checkpointDir && options.checkpointDir === undefined)
      await rm(checkpointDir, { recursive: true, force: true });
    const { metrics, report } = await evaluateSplits({
      trainer,
      trainerTables,
      run,
      model: composed.model,
      inspect: composed.inspect,
      task,
      spec,
      inputs: composed.inputs,
      history,
    });
    if (options.reportDir && report) await writeReport(options.reportDir, report);
    const fieldTypes = Object.fromEntries(
      [...spec.inputs.map((i) => i.field), spec.output.field]
        .filter((field) => dataset.fieldTypes[field] !== undefined)
        .map((field) => [field, dataset.fieldTypes[field]!]),
    );
    const bundle = options.bundleDir
      ? await saveBundle(options.bundleDir, {
          tf,
          model: composed.model,
          spec,
          task,
          encoders,
          fusion,
          hasFusionWeights: composed.inspect !== null,
          seed,
          trainer: { id: trainer.id },
          registry,
          packageDir: baseDir,
          metrics,
          history,
          fieldTypes,
          skipped: skippedRecords(dataCheck),
        })
      : null;
    const model = createPredictor({
      spec,
      task,
      model: composed.model,
      inspect: composed.inspect,
      inputs: composed.inputs,
      encoders,
      fieldTypes,
    });
    return { bundle, model, history, metrics, report, labels, backend, dataCheck };
  } catch (error) {
    composed.model.dispose();
    throw error;
  } finally {
    trainerTables?.dispose();
    await run?.dispose();
  }
}

function emptyTrainingSplit(dataset: Dataset, skipped: number): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.Training,
    message:
      skipped > 0
        ? 'the training split is empty once the invalid records are skipped'
        : 'the training split is empty',
    path: 'split',
    file: dataset.source,
    found: { records: dataset.size, skipped },
  });
}

function resolveSpec(options: TrainOptions): { spec: ModelSpec; baseDir: string } {
  if (options.specPath) {
    const file = path.resolve(options.specPath);
    return { spec: loadModelSpec(file), baseDir: path.dirname(file) };
  }
  if (!options.spec) {
    throw new OmnifuseError({ code: ErrorCode.InvalidConfig, message: 'train() needs a spec or a specPath' });
  }
  return { spec: parseModelSpec(options.spec), baseDir: path.resolve(options.baseDir ?? process.cwd()) };
}

async function loadData(options: TrainOptions, spec: ModelSpec, baseDir: string): Promise<Dataset> {
  const manifest = options.manifestPath ?? (spec.data ? path.resolve(baseDir, spec.data) : undefined);
  if (!manifest) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'no data: give a dataset, a manifestPath, or "data" in the spec',
      path: 'data',
    });
  }
  return loadManifest(manifest, options.manifestOptions);
}

function trainingOptions(spec: ModelSpec, workers: TrainOptions['workers']): TrainingOptions {
  const { trainer: _trainer, ...options } = spec.training;
  return workers === undefined ? options : { ...options, workers };
}

function resolveCheckpointDir(options: TrainOptions): string | null {
  if (options.checkpointDir === false) return null;
  if (options.checkpointDir !== undefined) return path.resolve(options.checkpointDir);
  if (options.bundleDir) return path.resolve(options.bundleDir, 'checkpoints');
  if (options.resume) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'resume needs a checkpointDir or a bundleDir',
      path: 'resume',
    });
  }
  return null;
}

/** Hash of the label map and every fitted encoder state: a resume must see the same ones. */
function preprocessingFingerprint(
  labels: readonly string[],
  encoders: Record<string, FittedEncoder>,
): string {
  const states = Object.fromEntries(
    Object.entries(encoders).map(([field, { encoder, state }]) => [field, { id: encoder.id, state }]),
  );
  // Encoder states may hold bigints, which JSON has no form for.
  return hashValue(
    JSON.parse(JSON.stringify({ labels, states }, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))),
  );
}
