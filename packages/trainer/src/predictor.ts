import {
  type ComposedInput,
  createDataset,
  type Dataset,
  decodePredictions,
  type EvaluationResult,
  type FeatureCache,
  type FieldType,
  type FittedEncoder,
  loadManifest,
  type ModelSpec,
  type Prediction,
  runModel,
  type TaskSpec,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import { encodeTargets } from './labels.js';
import { evaluate } from './supervised-trainer.js';
import { featureTensors } from './tables.js';

/** Records to predict on or score: a dataset, records in code, or a manifest file path. */
export type RecordSource = Dataset | readonly Record<string, unknown>[] | string;

export interface PredictOptions {
  /** Folder relative media paths resolve against, for records given in code; default: the working directory. */
  readonly root?: string;
  readonly batchSize?: number;
  /** Feature cache to read and fill; none by default. */
  readonly cache?: FeatureCache;
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
  /** Loss (and accuracy) on labelled records. */
  evaluate(records: RecordSource, options?: PredictOptions): Promise<EvaluationResult>;
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
  const tensorsOf = async (dataset: Dataset, options: PredictOptions) => {
    const tensors = await featureTensors(dataset, spec, inputs, encoders, { cache: options.cache });
    return { tensors, ordered: model.inputNames.map((name) => tensors[name]!) };
  };

  return {
    spec,
    task,
    model,
    inspect,
    encoders,
    async predict(source, options = {}) {
      const dataset = await toDataset(source, options);
      const { tensors, ordered } = await tensorsOf(dataset, options);
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
    async evaluate(source, options = {}) {
      const dataset = await toDataset(source, options);
      const { tensors } = await tensorsOf(dataset, options);
      let target: tf.Tensor | undefined;
      try {
        target = encodeTargets(task, task.labels, dataset);
        return await evaluate(
          model,
          task,
          { size: dataset.size, inputs: tensors, target },
          options.batchSize,
        );
      } finally {
        tf.dispose([...Object.values(tensors), ...(target ? [target] : [])]);
      }
    },
    dispose() {
      model.dispose();
    },
  };
}
