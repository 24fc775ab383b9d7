import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BUNDLE_FILES,
  type DataCheckReport,
  type Dataset,
  ErrorCode,
  type FeatureCache,
  type FieldType,
  hashValue,
  type LoadManifestOptions,
  loadManifest,
  type ModelSpec,
  type ModelSpecInput,
  OmnifuseError,
  type PluginList,
  parseModelSpec,
  type Registry,
  saveBundle,
  skippedRecords,
  type TrainerCallbacks,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { type BackendChoice, type BackendOption, useBackend } from './backend.js';
import { pluginModules, replicaRecipe } from './data-parallel/recipe.js';
import { applyFreezing, learningRateGroups } from './fine-tune-layers.js';
import { encodeTargets } from './labels.js';
import { bundlePluginPackages, loadModel } from './load-model.js';
import { resolveRegistry } from './plugins.js';
import { createPredictor } from './predictor.js';
import { createProgressReporter, type ProgressOptions } from './progress.js';
import { writeReport } from './report/write-report.js';
import { evaluateSplits, prepareRunTables, type RunTables } from './run-tables.js';
import { checkedSplit } from './split-tables.js';
import { TrainerTables } from './streaming/trainer-tables.js';
import { TRAINER_ID } from './supervised-trainer.js';
import { createBatchAugmenter } from './tables.js';
import type { TrainResult } from './train.js';

export interface FineTuneOptions {
  /** The bundle to start from (written by `train` or an earlier `fineTune`). */
  readonly bundleDir: string;
  /** The new data as a loaded dataset, or… */
  readonly dataset?: Dataset;
  /** …a manifest file, read with the field types the bundle was trained with. */
  readonly manifestPath?: string;
  readonly manifestOptions?: LoadManifestOptions;
  /** Layers to freeze: input field names, `fusion`, `head`, or layer-name globs like `image/*`. */
  readonly freeze?: readonly string[];
  /** Layers to train after all, with the same patterns; applied after `freeze`. */
  readonly unfreeze?: readonly string[];
  /** Base learning rate per pattern (first match wins); other weights use `training.learningRate`. */
  readonly learningRates?: Readonly<Record<string, number>>;
  /** Overrides of the bundle's `training` section (epochs, optimizer, lrSchedule, …). */
  readonly training?: Partial<NonNullable<ModelSpecInput['training']>>;
  /** How to split the new data; default: the bundle's split spec. */
  readonly split?: ModelSpecInput['split'];
  /** Where to save the fine-tuned bundle; nothing is saved without it (may be `bundleDir`). */
  readonly bundleOut?: string;
  /** Folder for `report.json` / `report.html` of the test split, else the validation split. */
  readonly reportDir?: string;
  /** Plugins given in code, on top of those the bundle names and the built-ins. */
  readonly registry?: Registry | PluginList;
  /** Default: the bundle's `backend`. A backend selected already (`selectBackend`) is used as it is. */
  readonly backend?: BackendOption;
  readonly callbacks?: readonly TrainerCallbacks[];
  readonly progress?: boolean | ProgressOptions;
  /** Feature cache folder (default `<data root>/.omnifuse-cache`), a `FeatureCache`, or `false`. */
  readonly cache?: string | false | FeatureCache;
  /** Where to checkpoint each epoch (none by default; kept afterwards). */
  readonly checkpointDir?: string;
  /** Continue from the newest intact checkpoint in `checkpointDir`. */
  readonly resume?: boolean;
  /** Folder plugin packages are resolved from; default: the working directory. */
  readonly baseDir?: string;
  /** What to do with invalid records of the new data (default: the bundle spec's `onInvalid`); see `train`. */
  readonly onInvalid?: 'fail' | 'skip';
  /** Receives the data check's report before anything is trained. */
  readonly onCheck?: (report: DataCheckReport, onInvalid: 'fail' | 'skip') => void;
  /** Overrides the training spec's `workers` (data-parallel gradient threads). */
  readonly workers?: 'auto' | number;
  /** Preprocessing threads for the new data, as `train`'s `jobs`. */
  readonly jobs?: 'auto' | number;
}

/**
 * Continues training a saved bundle on new data. The encoders' fitted preprocessing state
 * (vocabularies, statistics, …) and the label map are the bundle's: the new data is preprocessed
 * with them, and a label the bundle does not know is an error naming the record. Frozen layers keep
 * their weights exactly; the other weights train at their group's rate. The result has `train`'s
 * shape, and the bundle saved has the merged training spec.
 */
export async function fineTune(options: FineTuneOptions): Promise<TrainResult> {
  const bundleDir = path.resolve(options.bundleDir);
  const baseDir = path.resolve(options.baseDir ?? process.cwd());
  const backend = await useBackend(options.backend ?? (await savedBackend(bundleDir)));
  // The bundle's plugin packages, for loading it, for the trainer, and for the saved manifest.
  const pluginPackages = await bundlePluginPackages(bundleDir);
  const registry = await resolveRegistry({
    specifiers: pluginPackages,
    baseDir,
    registry: options.registry,
    tolerant: true,
  });
  const loaded = await loadModel(bundleDir, { registry, baseDir });
  const { bundle } = loaded;
  const model = bundle.model;
  let run: RunTables | null = null;
  let trainerTables: TrainerTables | null = null;
  try {
    const spec = mergedSpec(bundle.spec, options);
    const fieldTypes = (bundle.manifest.data?.fieldTypes ?? {}) as Record<string, FieldType>;
    const dataset = options.dataset ?? (await loadNewData(options, fieldTypes));
    const onInvalid = options.onInvalid ?? spec.onInvalid;
    const checked = await checkedSplit(dataset, spec, {
      encoders: bundle.encoders,
      knownLabels: bundle.task.labels,
      onInvalid,
      onCheck: options.onCheck,
    });
    const { split } = checked;
    const trainSet = split.datasets.train;
    if (trainSet.size === 0) {
      throw new OmnifuseError({
        code: ErrorCode.Training,
        message: 'the training split of the new data is empty',
        path: 'split',
        file: dataset.source,
        found: { records: dataset.size },
      });
    }
    const frozen = applyFreezing(model, bundle.inputs, options.freeze ?? [], options.unfreeze ?? []);
    if (model.trainableWeights.length === 0) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: 'every layer is frozen: nothing would train',
        path: 'freeze',
        found: options.freeze,
      });
    }
    const paramGroups = learningRateGroups(model, bundle.inputs, options.learningRates ?? {});
    if (paramGroups.length > 0 && spec.training.trainer !== TRAINER_ID) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `per-group learning rates need ${TRAINER_ID}; the bundle was trained with ${spec.training.trainer}`,
        path: 'learningRates',
      });
    }

    const { task, encoders } = bundle;
    run = await prepareRunTables({
      dataset,
      split,
      spec,
      inputs: bundle.inputs,
      encoders,
      dataCheck: checked.dataCheck,
      onInvalid,
      cache: options.cache,
      pool: {
        jobs: options.jobs,
        plugins: pluginModules({
          spec: { ...bundle.spec, plugins: pluginPackages },
          baseDir,
          registry,
          encoders,
        }),
      },
      targets: (part) => bundleTargets(task, part),
    });
    const { tables, parts, dataCheck, augmentable } = run;

    const trainer = registry
      .trainer(spec.training.trainer)
      .create(paramGroups.length > 0 ? { paramGroups } : {});
    const callbacks = [...(options.callbacks ?? [])];
    if (options.progress)
      callbacks.push(createProgressReporter(options.progress === true ? {} : options.progress));
    const { trainer: _trainer, ...specOptions } = spec.training;
    const trainingOptions =
      options.workers === undefined ? specOptions : { ...specOptions, workers: options.workers };
    // A trainer that does not stream gets (and evaluates) the splits as tensors.
    trainerTables = new TrainerTables(trainer);
    const history = await trainer.fit(
      trainerTables.fitArgs(
        {
          model,
          task,
          options: trainingOptions,
          callbacks,
          augment: createBatchAugmenter(parts.train, augmentable, spec.training.seed),
          replica: replicaRecipe({
            spec: { ...bundle.spec, plugins: pluginPackages },
            baseDir,
            registry,
            encoders,
            task,
            seed: bundle.manifest.seed,
            backend,
            ...(augmentable.length > 0
              ? { augment: { records: parts.train.ids, seed: spec.training.seed } }
              : {}),
            frozenLayers: frozen,
          }),
          checkpoint: options.checkpointDir
            ? {
                dir: path.resolve(options.checkpointDir),
                resume: options.resume,
                fingerprint: hashValue({ bundle: bundle.manifest, frozen, paramGroups }),
              }
            : undefined,
        },
        tables.train!,
        tables.validation,
      ),
    );

    const { metrics, report } = await evaluateSplits({
      trainer,
      trainerTables,
      run,
      model,
      inspect: bundle.inspect,
      task,
      spec,
      inputs: bundle.inputs,
      history,
    });
    if (options.reportDir && report) await writeReport(options.reportDir, report);
    const saved = options.bundleOut
      ? await saveBundle(options.bundleOut, {
          tf,
          model,
          spec,
          task,
          encoders,
          fusion: bundle.fusion,
          hasFusionWeights: bundle.inspect !== null,
          seed: bundle.manifest.seed,
          trainer: { id: trainer.id },
          registry,
          packageDir: baseDir,
          metrics,
          history,
          fieldTypes,
          skipped: skippedRecords(dataCheck),
        })
      : null;
    const predictor = createPredictor({
      spec,
      task,
      model,
      inspect: bundle.inspect,
      inputs: bundle.inputs,
      encoders,
      fieldTypes,
    });
    return {
      bundle: saved,
      model: predictor,
      history,
      metrics,
      report,
      labels: task.labels,
      backend,
      dataCheck,
    };
  } catch (error) {
    loaded.dispose();
    throw error;
  } finally {
    trainerTables?.dispose();
    await run?.dispose();
  }
}

/** The bundle's spec with the training and split overrides, validated as a whole. */
function mergedSpec(saved: ModelSpec, options: FineTuneOptions): ModelSpec {
  return parseModelSpec({
    ...saved,
    training: { ...saved.training, ...options.training },
    split: options.split ?? saved.split,
  });
}

async function savedBackend(bundleDir: string): Promise<BackendChoice | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path.join(bundleDir, BUNDLE_FILES.manifest), 'utf8')) as {
      spec?: { backend?: BackendChoice };
    };
    return manifest.spec?.backend;
  } catch {
    // loadModel reports a missing or corrupt manifest with the file named.
    return undefined;
  }
}

async function loadNewData(
  options: FineTuneOptions,
  fieldTypes: Record<string, FieldType>,
): Promise<Dataset> {
  if (!options.manifestPath) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'fine-tuning needs new data: give a dataset or a manifestPath',
      path: 'data',
    });
  }
  return loadManifest(options.manifestPath, {
    ...options.manifestOptions,
    fieldTypes: { ...fieldTypes, ...options.manifestOptions?.fieldTypes },
  });
}

/** Targets under the bundle's label map; a label it lacks is an error naming the record. */
function bundleTargets(
  task: Parameters<typeof encodeTargets>[0] & { labels: readonly string[] },
  part: Dataset,
) {
  try {
    return encodeTargets(task, task.labels, part);
  } catch (error) {
    if (
      !OmnifuseError.isInstance(error) ||
      error.code !== ErrorCode.InvalidInput ||
      task.type === 'regression'
    )
      throw error;
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: `label "${String(error.found)}" is not in the bundle's label map; fine-tuning keeps the model's outputs (train a new model to add labels)`,
      record: error.record,
      field: error.field,
      file: error.file,
      expected: task.labels,
      found: error.found,
      cause: error,
    });
  }
}
