import type { SymbolicTensor } from '@tensorflow/tfjs';
import { z } from 'zod';
import { customLayers } from '../compose/layers.js';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { hashSeed } from '../rng.js';
import type { EncoderPluginV1, EncoderV1, RecordContext } from '../spec/encoder.js';
import type { Feature } from '../spec/feature.js';
import { parseEncoderOptions } from './parse-options.js';

const ID = 'vector:mlp';
const PACKAGE_NAME = '@omnifuse/core';

export const vectorEncoderOptionsSchema = z
  .object({
    /** Units of each hidden dense layer; `[]` passes the standardised features through unchanged. */
    hidden: z.array(z.number().int().positive()).default([64]),
    activation: z.enum(['relu', 'elu', 'gelu', 'selu', 'swish', 'tanh', 'sigmoid', 'linear']).default('relu'),
    /** Dropout rate after each hidden layer (training only). */
    dropout: z.number().min(0).max(0.95).default(0),
    /** Scale each dimension to zero mean and unit variance with statistics of the training split. */
    standardize: z.boolean().default(true),
    /** Std of the Gaussian noise added to features at train time; 0 turns augmentation off. */
    noise: z.number().min(0).default(0),
  })
  .strict();

export type VectorEncoderOptions = z.output<typeof vectorEncoderOptionsSchema>;
export type VectorEncoderOptionsInput = z.input<typeof vectorEncoderOptionsSchema>;

/**
 * A raw numeric value: one number, a list of numbers, or an object of named numbers. Numeric
 * strings are accepted too, since CSV manifests hand every cell over as text.
 */
export type VectorRaw =
  | number
  | string
  | readonly (number | string)[]
  | ArrayLike<number>
  | Readonly<Record<string, number | string>>;

/** What `fit` learns; plain JSON. */
export interface VectorEncoderState {
  readonly dim: number;
  /** Key order for object values, fixed at fit; null when values are numbers or lists. */
  readonly keys: readonly string[] | null;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Numeric features → dense layers. */
export function createVectorEncoder(options: unknown = {}): EncoderV1<VectorRaw, VectorEncoderState> {
  const parsed = parseOptions(options);

  const encoder: EncoderV1<VectorRaw, VectorEncoderState> = {
    specificationVersion: 'v1',
    id: ID,
    modality: 'vector',
    version: '1.0.0',
    options: parsed,

    fit(values, context) {
      const { present, dim, keys } = vectorLayout(values, {
        plugin: ID,
        field: context.field,
        records: context.records,
      });
      const layout = { dim, keys };
      const rows = present.map(({ value, index }) =>
        toNumbers(value, layout, { record: context.records?.[index] ?? index, field: context.field }, 'fit'),
      );
      const mean = new Array<number>(dim).fill(0);
      const std = new Array<number>(dim).fill(0);
      for (const row of rows) for (let d = 0; d < dim; d++) mean[d]! += row[d]! / rows.length;
      for (const row of rows)
        for (let d = 0; d < dim; d++) std[d]! += (row[d]! - mean[d]!) ** 2 / rows.length;
      // A constant dimension carries no information; dividing by 1 keeps it finite.
      for (let d = 0; d < dim; d++) std[d] = std[d]! > 1e-12 ? Math.sqrt(std[d]!) : 1;
      return { dim, keys, mean, std };
    },

    preprocess(raw, state, context) {
      const values = toNumbers(raw, state, context, 'preprocess');
      const data = new Float32Array(state.dim);
      for (let d = 0; d < state.dim; d++) {
        data[d] = parsed.standardize ? (values[d]! - state.mean[d]!) / state.std[d]! : values[d]!;
      }
      return { dtype: 'float32', shape: [state.dim], data };
    },

    featureSpec: (state) => ({ dtype: 'float32', shape: [state.dim] }),

    build({ tf, input, state, name, seed }) {
      // tfjs's own dropout reuses one mask under a fixed seed; core's SeededDropout is repeatable and fresh.
      const { SeededDropout } = customLayers(tf);
      let x = input;
      parsed.hidden.forEach((units, i) => {
        x = tf.layers
          .dense({
            units,
            activation: parsed.activation,
            name: `${name}/dense_${i}`,
            kernelInitializer: tf.initializers.glorotUniform({ seed: hashSeed(`${seed}:dense_${i}`) }),
          })
          .apply(x) as SymbolicTensor;
        if (parsed.dropout > 0) {
          x = new SeededDropout({
            rate: parsed.dropout,
            seed: hashSeed(`${seed}:dropout_${i}`),
            name: `${name}/dropout_${i}`,
          }).apply(x) as SymbolicTensor;
        }
      });
      return { kind: 'vector', output: x, dim: parsed.hidden.at(-1) ?? state.dim };
    },
  };

  if (parsed.noise > 0) {
    // Added only when asked for, so that the trainer can skip augmentation for this field entirely.
    return {
      ...encoder,
      augment(feature, _state, { rng }): Feature {
        const data = new Float32Array(feature.data.length);
        for (let i = 0; i < data.length; i++) data[i] = feature.data[i]! + parsed.noise * rng.normal();
        return { dtype: 'float32', shape: feature.shape, data };
      },
    };
  }
  return encoder;
}

/** Training values that are present, with their record index, and the layout the first one fixes. */
export interface VectorLayout<Raw> {
  readonly present: readonly { readonly value: Raw; readonly index: number }[];
  /** Numbers per value. */
  readonly dim: number;
  /** Key order (sorted) when values are objects of named numbers; null for numbers and lists. */
  readonly keys: readonly string[] | null;
}

/**
 * What a numeric encoder's `fit` starts from: the present values (missing ones, `null` or
 * `undefined`, are skipped) and the layout the first fixes — its sorted keys for an object of named
 * numbers, its length for a list, 1 for a number. No present value, or one with no numbers, is an
 * `E_INPUT` error naming the plugin and field.
 */
export function vectorLayout<Raw>(
  values: readonly Raw[],
  where: { readonly plugin: string; readonly field: string; readonly records?: readonly (string | number)[] },
): VectorLayout<Raw> {
  const present = values
    .map((value, index) => ({ value, index }))
    .filter(({ value }) => value !== null && value !== undefined);
  if (present.length === 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: `cannot fit ${where.plugin} on no values`,
      plugin: where.plugin,
      step: 'fit',
      field: where.field,
      expected: 'at least one training value',
      found: values.length,
    });
  }
  const first = present[0]!.value;
  const keys = isNamedNumbers(first) ? Object.keys(first).sort() : null;
  const dim = keys
    ? keys.length
    : Array.isArray(first) || ArrayBuffer.isView(first)
      ? (first as ArrayLike<unknown>).length
      : 1;
  if (dim === 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'a vector needs at least one number',
      plugin: where.plugin,
      step: 'fit',
      record: where.records?.[present[0]!.index] ?? present[0]!.index,
      field: where.field,
      expected: 'at least one number',
      found: 0,
    });
  }
  return { present, dim, keys };
}

export const vectorEncoderPlugin: EncoderPluginV1<VectorRaw, VectorEncoderState> = {
  specificationVersion: 'v1',
  kind: 'encoder',
  id: ID,
  modality: 'vector',
  packageName: PACKAGE_NAME,
  description: 'Numeric features (a number, a list, or an object of named numbers) → standardisation → MLP',
  create: createVectorEncoder,
};

function parseOptions(options: unknown): VectorEncoderOptions {
  return parseEncoderOptions(ID, vectorEncoderOptionsSchema, options);
}

function isNamedNumbers(value: unknown): value is Readonly<Record<string, number | string>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Reads a raw value as `dim` finite numbers in the fitted order, or names what is wrong with it. */
function toNumbers(
  raw: unknown,
  layout: { dim: number; keys: readonly string[] | null },
  where: RecordContext,
  step: 'fit' | 'preprocess',
): number[] {
  const fail = (message: string, expected: unknown, found: unknown): never => {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message,
      plugin: ID,
      step,
      record: where.record,
      field: where.field,
      expected,
      found,
    });
  };
  const { dim, keys } = layout;
  const number = (value: unknown, at: string): number => {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      return fail(`${at} is not a finite number`, 'a finite number', describeValue(value));
    }
    return n;
  };

  if (keys) {
    if (!isNamedNumbers(raw)) {
      return fail(
        'expected an object of named numbers',
        `an object with keys ${keys.join(', ')}`,
        describeValue(raw),
      );
    }
    const missing = keys.filter((k) => !(k in raw));
    const extra = Object.keys(raw).filter((k) => !keys.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      return fail(
        `object keys differ from the ones fitted${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''}`,
        keys,
        Object.keys(raw),
      );
    }
    return keys.map((k) => number(raw[k], `key "${k}"`));
  }
  if (typeof raw === 'number' || typeof raw === 'string') {
    if (dim !== 1)
      return fail(`expected ${dim} numbers, found a single value`, `${dim} numbers`, describeValue(raw));
    return [number(raw, 'the value')];
  }
  if (Array.isArray(raw) || ArrayBuffer.isView(raw)) {
    const list = Array.from(raw as ArrayLike<unknown>);
    if (list.length !== dim) return fail(`expected ${dim} numbers, found ${list.length}`, dim, list.length);
    return list.map((v, i) => number(v, `element ${i}`));
  }
  return fail(
    'expected a number, a list of numbers or an object of named numbers',
    dim === 1 ? 'a number' : `${dim} numbers`,
    describeValue(raw),
  );
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}
