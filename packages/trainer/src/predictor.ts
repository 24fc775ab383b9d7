import {
  type ComposedInput,
  checkDataset,
  createDataset,
  type DataCheckReport,
  type Dataset,
  decodePredictions,
  type EvaluationResult,
  type FeatureCache,
  type FieldType,
  type FittedEncoder,
  invalidDataError,
  loadManifest,
  type ModelSpec,
  type Prediction,
  runModel,
  skippedRecords,
  type TaskSpec,
  withPreprocessFailures,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { encodeTargets } from './labels.js';
import type { EvaluationReport } from './report/build-report.js';
import {
  type EvaluationMetrics,
  evaluationMetrics,
  reportFromOutputs,
  scoreOutputs,
} from './report/model-outputs.js';
import { encoderMap } from './split-tables.js';
import { evaluate } from './supervised-trainer.js';
import { featureTable, featureTensors } from './tables.js';

function validRows(size: number, invalid: readonly number[]): number[] {
  const drop = new Set(invalid);
  return [...Array(size).keys()].filter((row) => !drop.has(row));
}

/** Records to predict on or score: a dataset, records in code, or a manifest file path. */
export type RecordSource = Dataset | readonly Record<string, unknown>[] | string;

export interface PredictOptions {
  /** Folder relative media paths resolve against, for records given in code; default: the working directory. */
  readonly root?: string;
  readonly batchSize?: number;
  /** Feature cache to read and fill; none by default. */
  readonly cache?: FeatureCache;
  /**
   * Check every record first (see `checkDataset`) and collect preprocessing failures: `'fail'` throws
   * `E_INVALID_DATA` listing every invalid record; `'skip'` leaves them out (predictions and metrics
   * cover the rest; `onCheck` gets the list). Without it, the first bad record throws.
   */
  readonly onInvalid?: 'fail' | 'skip';
  /** Receives the check's report (with preprocessing failures added) when `onInvalid` is set. */
  readonly onCheck?: (report: DataCheckReport) => void;
}

export interface EvaluateOptions extends PredictOptions {
  /** Also build the full evaluation report (see `buildEvaluationReport`). */
  readonly report?: boolean;
  /** Split name the report shows; default `test`. */
  readonly split?: string;
}

/** A trained model with its fitted encoders: raw records in, predictions out. */
export interface Predictor {
  readonly spec: ModelSpec;
  readonly task: TaskSpec & { readonly labels: readonly string[] };
  readonly model: tf.LayersModel;
  /** Outputs `[prediction, fusionWeights]` where the fusion method has weights. */
  readonly inspect: tf.LayersModel | null;
  readonly encoders: Readonly<Record<string, FittedEncoder>>;
  /** Predictions in record order, with probabilities and fusion weights where there are any. */
  predict(records: RecordSource, options?: PredictOptions): Promise<Prediction[]>;
  /**
   * Loss, accuracy and the task's metrics (F1, ROC-AUC, log loss, MAE, R², …) on labelled records;
   * with `report: true`, also the full evaluation report.
   */
  evaluate(
    records: RecordSource,
    options?: EvaluateOptions & { readonly report?: false },
  ): Promise<EvaluationMetrics>;
  evaluate(
    records: RecordSource,
    options: EvaluateOptions & { readonly report: true },
  ): Promise<{ readonly metrics: EvaluationMetrics; readonly report: EvaluationReport }>;
  /** Frees the model's weights. */
  dispose(): void;
}

export interface PredictorParts {
  readonly spec: ModelSpec;
  readonly task: TaskSpec & { readonly labels: readonly string[] };
  readonly model: tf.LayersModel;
  readonly inspect: tf.LayersModel | null;
  readonly inputs: readonly ComposedInput[];
  readonly encoders: Readonly<Record<string, FittedEncoder>>;
  /** Field types of the training data, so records given in code are read the same way. */
  readonly fieldTypes: Readonly<Record<string, FieldType>>;
}

export function createPredictor(parts: PredictorParts): Predictor {
  const { spec, task, model, inspect, inputs, encoders, fieldTypes } = parts;

  const toDataset = async (source: RecordSource, options: PredictOptions): Promise<Dataset> => {
    if (typeof source === 'string') return loadManifest(source, { fieldTypes });
    if (Array.isArray(source)) {
      return createDataset(source as readonly Record<string, unknown>[], { root: options.root, fieldTypes });
    }
    return source as Dataset;
  };
  /** The records' input tensors, and the records they hold (fewer under `onInvalid: 'skip'`). */
  const tensorsOf = async (source: Dataset, options: PredictOptions, labels: boolean) => {
    let dataset = source;
    if (options.onInvalid) {
      let report = await checkDataset(dataset, spec, {
        encoders: encoderMap(encoders),
        labels,
        knownLabels: task.labels,
      });
      const valid = dataset.subset(validRows(dataset.size, report.invalidRows));
      const table = await featureTable(valid, spec, inputs, encoders, {
        cache: options.cache,
        invalid: 'collect',
      });
      if (table.kept) {
        const rowOfId = new Map(dataset.ids.map((id, row) => [id, row]));
        const rows = valid.ids.map((id) => rowOfId.get(id)!);
        report = withPreprocessFailures(report, table.failures, valid, undefined, rows);
      }
      options.onCheck?.(report);
      if (report.invalid > 0 && options.onInvalid === 'fail') {
        tf.dispose(Object.values(table.tensors));
        throw invalidDataError(report);
      }
      dataset = table.kept ? valid.subset(table.kept) : valid;
      const tensors = table.tensors;
      return { dataset, tensors, ordered: model.inputNames.map((name) => tensors[name]!) };
    }
    const tensors = await featureTensors(dataset, spec, inputs, encoders, { cache: options.cache });
    return { dataset, tensors, ordered: model.inputNames.map((name) => tensors[name]!) };
  };

  async function evaluateRecords(
    source: RecordSource,
    options: EvaluateOptions = {},
  ): Promise<EvaluationMetrics | { metrics: EvaluationMetrics; report: EvaluationReport }> {
    let check: DataCheckReport | undefined;
    const onCheck = (report: DataCheckReport) => {
      check = report;
      options.onCheck?.(report);
    };
    const { dataset, tensors } = await tensorsOf(
      await toDataset(source, options),
      { ...options, onCheck },
      true,
    );
    let target: tf.Tensor | undefined;
    try {
      target = encodeTargets(task, task.labels, dataset);
      const table = { size: dataset.size, inputs: tensors, target };
      const base: EvaluationResult = await evaluate(model, task, table, options.batchSize);
      const scored = await scoreOutputs({
        model,
        inspect,
        table,
        fields: inputs.map((input) => input.field),
        batchSize: options.batchSize,
      });
      const metrics = evaluationMetrics(task, base, scored);
      if (!options.report) return metrics;
      const report = reportFromOutputs({
        task,
        scored,
        records: dataset.ids,
        split: options.split ?? 'test',
        spec,
        model,
        loss: base.loss,
        skipped: check && skippedRecords(check),
      });
      return { metrics, report };
    } finally {
      tf.dispose([...Object.values(tensors), ...(target ? [target] : [])]);
    }
  }

  return {
    spec,
    task,
    model,
    inspect,
    encoders,
    async predict(source, options = {}) {
      const { dataset, tensors, ordered } = await tensorsOf(await toDataset(source, options), options, false);
      try {
        const outputs = await runModel(tf, inspect ?? model, ordered, {
          batchSize: options.batchSize,
          withFusionWeights: inspect !== null,
        });
        return decodePredictions({
          task,
          labels: task.labels,
          ids: dataset.ids,
          outputs: outputs.outputs,
          fusionWeights: outputs.fusionWeights,
          fields: inputs.map((input) => input.field),
        });
      } finally {
        tf.dispose(Object.values(tensors));
      }
    },
    evaluate: evaluateRecords as Predictor['evaluate'],
    dispose() {
      model.dispose();
    },
  };
}
