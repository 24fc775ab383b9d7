import {
  type BatchAugmenter,
  type ComposedInput,
  createRng,
  type Dataset,
  type EncoderV1,
  ErrorCode,
  encoderInput,
  type Feature,
  type FeatureBatch,
  type FeatureCache,
  type FittedEncoder,
  featureArrayType,
  inPluginStep,
  inPluginStepSync,
  isMissing,
  MEDIA_FIELD_TYPES,
  type ModelSpec,
  OmnifuseError,
  type PreprocessProgress,
  preprocessField,
  type RecordFailure,
  type Registry,
  type Rng,
  sanitizeText,
  type TensorTable,
  tensorDTypeOf,
} from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';
import type { PreprocessPool } from './parallel-preprocess/pool.js';
import { type PackedColumn, readRowsSync } from './streaming/columns.js';

/**
 * Fits each input's encoder on the training records only: the `created` ones (see
 * `createSpecEncoders`), else each created from its plugin here.
 */
export async function fitEncoders(
  spec: ModelSpec,
  registry: Registry,
  train: Dataset,
  created?: Readonly<Record<string, EncoderV1>>,
): Promise<Record<string, FittedEncoder>> {
  const fitted: Record<string, FittedEncoder> = {};
  for (const input of spec.inputs) {
    const encoder =
      created?.[input.field] ??
      inPluginStepSync({ plugin: input.encoder, step: 'create', field: input.field }, () =>
        registry.encoder(input.encoder).create(input.options),
      );
    const media = isMediaField(train, input.field, encoder.modality);
    const values: unknown[] = [];
    const records: (string | number)[] = [];
    train.records.forEach((record, i) => {
      const value = record[input.field];
      if (isMissing(value)) return;
      records.push(train.ids[i]!);
      values.push(
        encoderInput(value, train.root, media, {
          record: train.ids[i],
          field: input.field,
          file: train.source,
        }),
      );
    });
    const state = await inPluginStep({ plugin: encoder.id, step: 'fit', field: input.field }, () =>
      encoder.fit(encoder.modality === 'text' && !media ? values.map(sanitizeText) : values, {
        field: input.field,
        readMedia: train.readMedia,
        records,
      }),
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
  /** Preprocessing threads for large fields (see `createPreprocessPool`); the calling thread without. */
  readonly pool?: PreprocessPool;
  readonly onProgress?: (field: string, progress: PreprocessProgress) => void;
  /** Receives each preprocessed field's features (not for an optional field no record has). */
  readonly onFeatureBatch?: (input: ComposedInput, batch: FeatureBatch) => void;
}

export interface CollectedFeatureTableOptions extends FeatureTableOptions {
  /**
   * `'throw'` (default): the first record that cannot be preprocessed stops the run. `'collect'`:
   * every field of every record is preprocessed, the records that fail are dropped from the tensors
   * and listed in `failures`, and `kept` gives the rows that remain.
   */
  readonly invalid?: 'throw' | 'collect';
}

/** Model input tensors, and the records that could not be preprocessed. */
export interface FeatureTable {
  readonly tensors: Record<string, tf.Tensor>;
  /** Records dropped (with `invalid: 'collect'`), by index in the dataset given. */
  readonly failures: readonly RecordFailure[];
  /** Rows of the dataset the tensors hold, in order; null when every row is kept. */
  readonly kept: readonly number[] | null;
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
  return (await featureTable(dataset, spec, inputs, encoders, { ...options, invalid: 'throw' })).tensors;
}

/**
 * {@link featureTensors}, with the choice of collecting the records that cannot be preprocessed
 * (see `invalid`) instead of stopping at the first, so a caller can report all of them and apply its
 * `onInvalid` policy.
 */
export async function featureTable(
  dataset: Dataset,
  spec: ModelSpec,
  inputs: readonly ComposedInput[],
  encoders: Readonly<Record<string, FittedEncoder>>,
  options: CollectedFeatureTableOptions = {},
): Promise<FeatureTable> {
  const collect = options.invalid === 'collect';
  const n = dataset.size;
  const batches: { input: ComposedInput; batch: FeatureBatch | null }[] = [];
  const failures: RecordFailure[] = [];
  for (const input of inputs) {
    const optional = spec.inputs.find((i) => i.field === input.field)?.optional ?? false;
    if (!dataset.fields.includes(input.field) && (optional || n === 0)) {
      // An optional field no record has: every value missing.
      batches.push({ input, batch: null });
      continue;
    }
    const { encoder, state } = encoders[input.field]!;
    const fieldOptions = {
      cache: options.cache,
      invalid: options.invalid,
      onProgress:
        options.onProgress && ((progress: PreprocessProgress) => options.onProgress!(input.field, progress)),
    };
    const specOptions = spec.inputs.find((i) => i.field === input.field)?.options ?? {};
    const batch = options.pool
      ? await options.pool.preprocessField(
          dataset,
          input.field,
          encoder as EncoderV1<unknown, unknown>,
          { id: encoder.id, options: specOptions, state },
          fieldOptions,
        )
      : await preprocessField(dataset, input.field, encoder, state, fieldOptions);
    failures.push(...batch.failures);
    if (!optional) {
      const failed = new Set(batch.failures.map((f) => f.index));
      for (let row = 0; row < n; row++) {
        if (batch.presence[row] !== 0 || failed.has(row)) continue;
        const failure = missingInputFailure(dataset, row, input.field);
        if (!collect) throw failure.error;
        failures.push(failure);
      }
    }
    batches.push({ input, batch });
  }
  failures.sort((a, b) => a.index - b.index);
  const failedRows = new Set(failures.map((f) => f.index));
  const kept = failedRows.size > 0 ? [...Array(n).keys()].filter((row) => !failedRows.has(row)) : null;
  const size = kept ? kept.length : n;
  const tensors: Record<string, tf.Tensor> = {};
  try {
    for (const { input, batch: full } of batches) {
      if (!full) {
        tensors[input.featureInput] = tf.zeros(
          [size, ...input.featureSpec.shape],
          tensorDTypeOf(input.featureSpec.dtype),
        );
        tensors[input.presenceInput] = tf.zeros([size, 1]);
        continue;
      }
      const batch = kept ? keepRows(full, kept) : full;
      tensors[input.featureInput] = tf.tensor(batch.data, [...batch.shape], tensorDTypeOf(batch.dtype));
      tensors[input.presenceInput] = tf.tensor2d(batch.presence, [size, 1]);
      options.onFeatureBatch?.(input, batch);
    }
  } catch (error) {
    tf.dispose(Object.values(tensors));
    throw error;
  }
  return { tensors, failures, kept };
}

/** A record with no value for an input not marked `optional`, as a failure naming it. */
export function missingInputFailure(dataset: Dataset, row: number, field: string): RecordFailure {
  const error = new OmnifuseError({
    code: ErrorCode.MissingField,
    message: 'the record has no value for a required input (mark the input "optional": true to allow it)',
    record: dataset.ids[row],
    field,
    file: dataset.source,
  });
  return { index: row, record: dataset.ids[row]!, field, code: error.code, reason: error.reason, error };
}

/** The batch with only the given rows, in that order. */
function keepRows(batch: FeatureBatch, rows: readonly number[]): FeatureBatch {
  const size = batch.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = new (featureArrayType(batch.dtype))(rows.length * size);
  const presence = new Float32Array(rows.length);
  rows.forEach((row, i) => {
    data.set(batch.data.subarray(row * size, (row + 1) * size), i * size);
    presence[i] = batch.presence[row]!;
  });
  return { ...batch, shape: [rows.length, ...batch.shape.slice(1)], data, presence, failures: [] };
}

export function disposeTable(table: TensorTable | undefined): void {
  if (!table) return;
  tf.dispose([...Object.values(table.inputs), table.target]);
}

/**
 * One augmented input: its training features as preprocessed, row for row with the training table —
 * in memory (`batch`) or, for a streamed table, in its packed columns (`packed`).
 */
export interface AugmentedInput {
  readonly input: ComposedInput;
  readonly fitted: FittedEncoder;
  readonly batch?: FeatureBatch;
  readonly packed?: {
    readonly features: PackedColumn;
    readonly presence: PackedColumn;
  };
}

/**
 * Augments training batches with the encoders' `augment`: each present value of each input given
 * gets a generator forked from `seed`, the field, the epoch and the record id, so what a record
 * receives does not depend on the batch it falls in. Missing values (presence 0) stay zeros and never
 * reach the encoder. Returns undefined when no input is given.
 */
export function createBatchAugmenter(
  dataset: Dataset,
  inputs: readonly AugmentedInput[],
  seed: number,
): BatchAugmenter | undefined {
  const augmented = inputs.filter((i) => i.fitted.encoder.augment);
  if (augmented.length === 0) return undefined;
  const root = createRng(seed);
  return ({ epoch, rows }) => {
    const tensors: Record<string, tf.Tensor> = {};
    try {
      for (const { input, fitted, batch, packed } of augmented) {
        const spec = input.featureSpec;
        const size = spec.shape.reduce((a, b) => a * b, 1);
        const ArrayType = featureArrayType(spec.dtype);
        // A packed table's rows are read once for the batch (one file read per input, not per row).
        const at = new Map(rows.map((row, i) => [row, i]));
        const packedPresence = packed && readRowsSync(packed.presence, rows);
        const packedFeatures = packed && readRowsSync(packed.features, rows);
        const data = augmentRows({
          field: input.field,
          featureSpec: spec,
          fitted,
          rows,
          epoch,
          root,
          recordOf: (row) => dataset.ids[row]!,
          present: (row) =>
            packedPresence ? packedPresence[at.get(row)!] !== 0 : batch!.presence[row] !== 0,
          featureOf: (row) => {
            if (!packedFeatures) return batch!.data.slice(row * size, (row + 1) * size);
            // Packed columns read as the tensor dtype: back to the feature's own array type.
            const i = at.get(row)!;
            const feature = new ArrayType(size);
            feature.set(packedFeatures.subarray(i * size, (i + 1) * size));
            return feature;
          },
        });
        tensors[input.featureInput] = tf.tensor(
          data,
          [rows.length, ...spec.shape],
          tensorDTypeOf(spec.dtype),
        );
      }
    } catch (error) {
      tf.dispose(Object.values(tensors));
      throw error;
    }
    return tensors;
  };
}

export interface AugmentRowsArgs {
  readonly field: string;
  readonly featureSpec: ComposedInput['featureSpec'];
  readonly fitted: FittedEncoder;
  /** Table rows of the batch, in batch order. */
  readonly rows: readonly number[];
  readonly epoch: number;
  /** `createRng(seed)`; each record draws from its fork `augment:<field>:<epoch>:<record>`. */
  readonly root: Rng;
  readonly recordOf: (row: number) => string | number;
  readonly present: (row: number) => boolean;
  /** The row's preprocessed feature, a copy the encoder may write into. */
  readonly featureOf: (row: number) => Feature['data'];
}

/**
 * One input's features for a batch of rows, each present row augmented by the encoder with a
 * generator forked from the seed, the field, the epoch and the record id (so the thread or batch a
 * record falls in changes nothing); missing rows stay zeros and never reach the encoder.
 */
export function augmentRows(args: AugmentRowsArgs): Feature['data'] {
  const { field, featureSpec: spec, fitted, rows, epoch, root } = args;
  const { encoder, state } = fitted;
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const data = new (featureArrayType(spec.dtype))(rows.length * size);
  rows.forEach((row, i) => {
    if (!args.present(row)) return;
    const record = args.recordOf(row);
    const where = { plugin: encoder.id, step: 'augment', record, field };
    const feature: Feature = { dtype: spec.dtype, shape: spec.shape, data: args.featureOf(row) };
    const rng = root.fork(`augment:${field}:${epoch}:${record}`);
    const result = inPluginStepSync(where, () =>
      encoder.augment!(feature, state, { record, field, epoch, rng }),
    );
    checkAugmentedFeature(result, spec, size, where);
    data.set(result.data, i * size);
  });
  return data;
}

function checkAugmentedFeature(
  feature: Feature,
  spec: ComposedInput['featureSpec'],
  size: number,
  where: { plugin: string; step: string; record: string | number; field: string },
): void {
  const ArrayType = featureArrayType(spec.dtype);
  const fits =
    feature &&
    feature.dtype === spec.dtype &&
    Array.isArray(feature.shape) &&
    feature.shape.length === spec.shape.length &&
    feature.shape.every((dim, i) => dim === spec.shape[i]) &&
    feature.data instanceof ArrayType &&
    feature.data.length === size;
  if (!fits) {
    throw new OmnifuseError({
      code: ErrorCode.PluginFailed,
      message: 'augment returned a feature that does not match featureSpec',
      ...where,
      expected: { dtype: spec.dtype, shape: spec.shape, length: size },
      found: feature ? { dtype: feature.dtype, shape: feature.shape, length: feature.data?.length } : feature,
    });
  }
  if (spec.dtype === 'float32') {
    const index = feature.data.findIndex((x) => !Number.isFinite(x));
    if (index >= 0) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: `augmented feature has a non-finite value at element ${index}`,
        ...where,
        expected: 'finite numbers',
        found: feature.data[index],
      });
    }
  }
}
