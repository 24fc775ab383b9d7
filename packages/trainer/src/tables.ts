import {
  type ComposedInput,
  type Dataset,
  ErrorCode,
  type FeatureCache,
  type FittedEncoder,
  inPluginStep,
  inPluginStepSync,
  isMissing,
  MEDIA_FIELD_TYPES,
  type ModelSpec,
  OmnifuseError,
  type PreprocessProgress,
  preprocessField,
  type Registry,
  type TensorTable,
  toMediaRef,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';

/** Creates each input's encoder from its plugin and fits it on the training records only. */
export async function fitEncoders(
  spec: ModelSpec,
  registry: Registry,
  train: Dataset,
): Promise<Record<string, FittedEncoder>> {
  const fitted: Record<string, FittedEncoder> = {};
  for (const input of spec.inputs) {
    const plugin = registry.encoder(input.encoder);
    const encoder = inPluginStepSync({ plugin: plugin.id, step: 'create', field: input.field }, () =>
      plugin.create(input.options),
    );
    const media = isMediaField(train, input.field, encoder.modality);
    const values: unknown[] = [];
    train.records.forEach((record, i) => {
      const value = record[input.field];
      if (isMissing(value)) return;
      values.push(
        media
          ? toMediaRef(value, train.root, { record: train.ids[i], field: input.field, file: train.source })
          : value,
      );
    });
    const state = await inPluginStep({ plugin: encoder.id, step: 'fit', field: input.field }, () =>
      encoder.fit(values, { field: input.field, readMedia: train.readMedia }),
    );
    fitted[input.field] = { encoder, state };
  }
  return fitted;
}

function isMediaField(dataset: Dataset, field: string, modality: string): boolean {
  const type = dataset.fieldTypes[field];
  return (
    (type !== undefined && MEDIA_FIELD_TYPES.includes(type)) || modality === 'image' || modality === 'audio'
  );
}

export interface FeatureTableOptions {
  readonly cache?: FeatureCache;
  readonly onProgress?: (field: string, progress: PreprocessProgress) => void;
}

/**
 * Preprocesses every input field of a dataset (through the feature cache) into the model's input
 * tensors: per field the stacked features and a `[n, 1]` presence column. A missing value of an
 * input not marked `optional` is an error naming the record.
 */
export async function featureTensors(
  dataset: Dataset,
  spec: ModelSpec,
  inputs: readonly ComposedInput[],
  encoders: Readonly<Record<string, FittedEncoder>>,
  options: FeatureTableOptions = {},
): Promise<Record<string, tf.Tensor>> {
  const tensors: Record<string, tf.Tensor> = {};
  try {
    for (const input of inputs) {
      const optional = spec.inputs.find((i) => i.field === input.field)?.optional ?? false;
      const n = dataset.size;
      if (!dataset.fields.includes(input.field) && (optional || n === 0)) {
        // An optional field no record has: every value missing.
        tensors[input.featureInput] = tf.zeros([n, ...input.featureSpec.shape], input.featureSpec.dtype);
        tensors[input.presenceInput] = tf.zeros([n, 1]);
        continue;
      }
      const { encoder, state } = encoders[input.field]!;
      const batch = await preprocessField(dataset, input.field, encoder, state, {
        cache: options.cache,
        onProgress: options.onProgress && ((progress) => options.onProgress!(input.field, progress)),
      });
      if (!optional) {
        const absent = batch.presence.indexOf(0);
        if (absent >= 0) {
          throw new OmnifuseError({
            code: ErrorCode.MissingField,
            message:
              'the record has no value for a required input (mark the input "optional": true to allow it)',
            record: dataset.ids[absent],
            field: input.field,
            file: dataset.source,
          });
        }
      }
      tensors[input.featureInput] = tf.tensor(batch.data, [...batch.shape], batch.dtype);
      tensors[input.presenceInput] = tf.tensor2d(batch.presence, [n, 1]);
    }
  } catch (error) {
    tf.dispose(Object.values(tensors));
    throw error;
  }
  return tensors;
}

export function disposeTable(table: TensorTable | undefined): void {
  if (!table) return;
  tf.dispose([...Object.values(table.inputs), table.target]);
}
