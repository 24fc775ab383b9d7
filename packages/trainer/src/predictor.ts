import {
  type ComposedInput,
  checkDataset,
  createDataset,
  type DataCheckReport,
  type Dataset,
  decodePredictions,
  ErrorCode,
  type EvaluationResult,
  type FeatureCache,
  type FieldType,
  type FittedEncoder,
  invalidDataError,
  loadManifest,
  type ModelSpec,
  OmnifuseError,
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
  type ScoredOutputs,
  scoreOutputs,
} from './report/model-outputs.js';
import { encoderMap, inputBytesPerRow } from './split-tables.js';
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
  /**
   * Records preprocessed and run at a time (memory holds one chunk's input tensors); by default as
   * many as make about 64 MiB of input tensors, 256 to 65,536.
   */
  readonly chunkRows?: number;
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
   * {@link Predictor.predict} a chunk of records at a time, for more records than memory holds:
   * each chunk's predictions as soon as they are made (in record order; `onCheck` comes last).
   */
  predictChunks(records: RecordSource, options?: PredictOptions): AsyncIterable<Prediction[]>;
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
  /**
   * The records' input tensors a chunk at a time (about {@link CHUNK_BYTES} of them), with the
   * records each chunk holds, so memory stays bounded whatever the number of records. With
   * `onInvalid`, every record is checked first; records that fail preprocessing are added to the
   * report as their chunk is preprocessed; `onCheck` gets the report once every chunk has been, and
   * under `'fail'` the model stops running at the first invalid record while preprocessing goes on,
   * so the error lists every invalid record.
   */
  async function* chunksOf(
    source: Dataset,
    options: PredictOptions,
    labels: boolean,
  ): AsyncGenerator<{ dataset: Dataset; tensors: Record<string, tf.Tensor>; ordered: tf.Tensor[] }> {
    const step = options.chunkRows ?? chunkRows(inputs);
    if (!Number.isInteger(step) || step < 1) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: 'chunkRows must be a whole number of records, at least 1',
        path: 'chunkRows',
        found: step,
      });
    }
    let report: DataCheckReport | undefined;
    let rows = [...Array(source.size).keys()];
    if (options.onInvalid) {
      report = await checkDataset(source, spec, {
        encoders: encoderMap(encoders),
        labels,
        knownLabels: task.labels,
      });
      rows = validRows(source.size, report.invalidRows);
    }
    // One chunk, even when empty, so that an empty manifest still gets checked and predicted on.
    for (let start = 0; start === 0 || start < rows.length; start += step) {
      const chunk = rows.slice(start, start + step);
      const part = source.subset(chunk);
      let dataset = part;
      let tensors: Record<string, tf.Tensor>;
      if (report) {
        const table = await featureTable(part, spec, inputs, encoders, {
          cache: options.cache,
          invalid: 'collect',
        });
        tensors = table.tensors;
        if (table.kept) {
          report = withPreprocessFailures(report, table.failures, part, undefined, chunk);
          dataset = part.subset(table.kept);
        }
        if (report.invalid > 0 && options.onInvalid === 'fail') {
          tf.dispose(Object.values(tensors));
          continue;
        }
      } else {
        tensors = await featureTensors(part, spec, inputs, encoders, { cache: options.cache });
      }
      try {
        yield { dataset, tensors, ordered: model.inputNames.map((name) => tensors[name]!) };
      } finally {
        tf.dispose(Object.values(tensors));
      }
    }
    if (report) {
      options.onCheck?.(report);
      if (report.invalid > 0 && options.onInvalid === 'fail') throw invalidDataError(report);
    }
  }

  async function evaluateRecords(
    source: RecordSource,
    options: EvaluateOptions = {},
  ): Promise<EvaluationMetrics | { metrics: EvaluationMetrics; report: EvaluationReport }> {
    let check: DataCheckReport | undefined;
    const onCheck = (report: DataCheckReport) => {
      check = report;
      options.onCheck?.(report);
    };
    const results: EvaluationResult[] = [];
    const scores: ScoredOutputs[] = [];
    const records: (string | number)[] = [];
    const dataset = await toDataset(source, options);
    for await (const { dataset: part, tensors } of chunksOf(dataset, { ...options, onCheck }, true)) {
      const target = encodeTargets(task, task.labels, part);
      try {
        const table = { size: part.size, inputs: tensors, target };
        results.push(await evaluate(model, task, table, options.batchSize));
        scores.push(
          await scoreOutputs({
            model,
            inspect,
            table,
            fields: inputs.map((input) => input.field),
            batchSize: options.batchSize,
          }),
        );
        records.push(...part.ids);
      } finally {
        target.dispose();
      }
    }
    const base = combinedResults(results, task.type);
    const scored = concatScores(scores);
    const metrics = evaluationMetrics(task, base, scored);
    if (!options.report) return metrics;
    const report = reportFromOutputs({
      task,
      scored,
      records,
      split: options.split ?? 'test',
      spec,
      model,
      loss: base.loss,
      skipped: check && skippedRecords(check),
    });
    return { metrics, report };
  }

  async function* predictChunks(
    source: RecordSource,
    options: PredictOptions = {},
  ): AsyncGenerator<Prediction[]> {
    const dataset = await toDataset(source, options);
    for await (const { dataset: part, ordered } of chunksOf(dataset, options, false)) {
      const outputs = await runModel(tf, inspect ?? model, ordered, {
        batchSize: options.batchSize,
        withFusionWeights: inspect !== null,
      });
      yield decodePredictions({
        task,
        labels: task.labels,
        ids: part.ids,
        outputs: outputs.outputs,
        fusionWeights: outputs.fusionWeights,
        fields: inputs.map((input) => input.field),
      });
    }
  }

  return {
    spec,
    task,
    model,
    inspect,
    encoders,
    async predict(source, options = {}) {
      const predictions: Prediction[] = [];
      for await (const chunk of predictChunks(source, options)) predictions.push(...chunk);
      return predictions;
    },
    predictChunks,
    evaluate: evaluateRecords as Predictor['evaluate'],
    dispose() {
      model.dispose();
    },
  };
}

/** About this many bytes of input tensors are preprocessed and run at a time by predict/evaluate. */
export const CHUNK_BYTES = 64 * 1024 * 1024;

function chunkRows(inputs: readonly ComposedInput[]): number {
  return Math.max(256, Math.min(65_536, Math.floor(CHUNK_BYTES / Math.max(1, inputBytesPerRow(inputs)))));
}

/** The loss and accuracy of several chunks, weighted by their sizes (one chunk: its own result). */
function combinedResults(results: readonly EvaluationResult[], type: TaskSpec['type']): EvaluationResult {
  const scored = results.filter((r) => r.size > 0);
  if (scored.length <= 1) {
    return (
      scored[0] ??
      results[0] ?? { loss: Number.NaN, size: 0, ...(type === 'regression' ? {} : { accuracy: Number.NaN }) }
    );
  }
  const size = scored.reduce((sum, r) => sum + r.size, 0);
  const loss = scored.reduce((sum, r) => sum + r.loss * r.size, 0) / size;
  if (type === 'regression') return { loss, size };
  return { loss, size, accuracy: scored.reduce((sum, r) => sum + r.accuracy! * r.size, 0) / size };
}

function concatScores(parts: readonly ScoredOutputs[]): ScoredOutputs {
  if (parts.length === 1) return parts[0]!;
  const join = <T extends Float64Array | Float32Array>(arrays: readonly T[], make: (n: number) => T): T => {
    const out = make(arrays.reduce((sum, a) => sum + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  const weights = parts.map((p) => p.fusionWeights).filter((w) => w !== null);
  return {
    outputs: join(
      parts.map((p) => p.outputs),
      (n) => new Float64Array(n),
    ),
    targets: join(
      parts.map((p) => p.targets),
      (n) => new Float32Array(n),
    ),
    fusionWeights:
      weights.length > 0
        ? {
            inputs: weights[0]!.inputs,
            values: join(
              weights.map((w) => w.values),
              (n) => new Float64Array(n),
            ),
          }
        : null,
  };
}
