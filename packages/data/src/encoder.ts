import {
  createVectorEncoder,
  type EncoderPluginV1,
  type EncoderV1,
  ErrorCode,
  OmnifuseError,
  parseEncoderOptions,
  type RecordContext,
  vectorEncoderOptionsSchema,
  vectorLayout,
} from '@omnifuse/core';
import { z } from 'zod';
import {
  type FittedPipeline,
  fitPipeline,
  loadPipeline,
  type PipelineJson,
  stepRegistry,
} from './pipeline.js';

const ID = 'data:vector';
const PACKAGE_NAME = '@omnifuse/data';

export const dataVectorEncoderOptionsSchema = vectorEncoderOptionsSchema
  .omit({ standardize: true })
  .extend({
    /**
     * Steps fitted on the training split's values when the model trains (unsupervised steps only:
     * an encoder never sees the target).
     */
    steps: z
      .array(
        z.strictObject({ type: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }),
      )
      .default([]),
    /**
     * A pipeline already fitted with `fitPipeline(…).toJSON()` — on the training split only, and
     * with the target for supervised steps such as `select-k-best`; used as is. Exclusive with `steps`.
     */
    pipeline: z.unknown().optional(),
  })
  .strict();

export type DataVectorEncoderOptions = z.output<typeof dataVectorEncoderOptionsSchema>;
export type DataVectorEncoderOptionsInput = z.input<typeof dataVectorEncoderOptionsSchema>;

/** A number, a list of numbers (`null` = missing), or an object of named numbers. */
export type DataVectorRaw =
  | number
  | string
  | readonly (number | string | null)[]
  | Readonly<Record<string, number | string | null>>;

/** Plain JSON, saved in the model bundle. */
export interface DataVectorEncoderState {
  /** Key order of object values, fixed at fit; null for numbers and lists. */
  readonly keys: readonly string[] | null;
  readonly inputDim: number;
  readonly dim: number;
  readonly pipeline: PipelineJson;
}

/**
 * Numeric features → an `@omnifuse/data` pipeline (imputation, power transforms, scaling, PCA,
 * selection…) → dense layers. The fitted pipeline is the encoder's state, so it is saved in the
 * bundle and a reloaded model transforms exactly as the trained one did. Missing numbers (`null`,
 * `NaN`, absent keys) reach the pipeline as `NaN`: put an imputer first, or the first step that
 * cannot take them names the record and field.
 */
export function createDataVectorEncoder(
  options: unknown = {},
): EncoderV1<DataVectorRaw, DataVectorEncoderState> {
  const parsed = parseEncoderOptions(ID, dataVectorEncoderOptionsSchema, options);
  const { steps, pipeline, ...dense } = parsed;
  if (pipeline !== undefined && steps.length > 0) {
    throw optionsError(
      'give either `steps` (fitted with the model) or a fitted `pipeline`, not both',
      'steps',
    );
  }
  const registry = stepRegistry();
  steps.forEach((step, i) => {
    const definition = registry.get(step.type);
    if (definition?.supervised) {
      throw optionsError(
        `step "${step.type}" needs the target, which an encoder never sees: fit it with fitPipeline(steps, rows, { target }) on the training split and pass the result's toJSON() as \`pipeline\``,
        `steps.${i}.type`,
      );
    }
  });
  const given = pipeline === undefined ? undefined : loadPipeline(pipeline);
  const inner = createVectorEncoder({ ...dense, standardize: false });
  const loaded = new WeakMap<DataVectorEncoderState, FittedPipeline>();
  const pipelineOf = (state: DataVectorEncoderState) => {
    let fitted = loaded.get(state);
    if (!fitted) {
      fitted = loadPipeline(state.pipeline);
      loaded.set(state, fitted);
    }
    return fitted;
  };

  const encoder: EncoderV1<DataVectorRaw, DataVectorEncoderState> = {
    specificationVersion: 'v1',
    id: ID,
    modality: 'vector',
    version: '1.0.0',
    options: parsed,

    fit(values, context) {
      const {
        present,
        dim: inputDim,
        keys,
      } = vectorLayout(values, {
        plugin: ID,
        field: context.field,
        records: context.records,
      });
      const rows = present.map(({ value, index }) =>
        toRow(value, { keys, inputDim }, { record: context.records?.[index] ?? index, field: context.field }),
      );
      const fitted = given ?? fitPipeline(steps, rows, { featureNames: keys ?? undefined });
      if (fitted.inputNames.length !== inputDim) {
        throw optionsError(
          `the pipeline takes ${fitted.inputNames.length} numbers; field "${context.field}" has ${inputDim}`,
          'pipeline',
        );
      }
      const json = fitted.toJSON();
      // Run the training rows through once, so a value the pipeline cannot take fails at fit.
      if (given) fitted.transform(rows);
      return { keys, inputDim, dim: fitted.outputNames.length, pipeline: json };
    },

    preprocess(raw, state, context) {
      const row = toRow(raw, state, context);
      let out: number[];
      try {
        out = pipelineOf(state).transform([row])[0]!;
      } catch (error) {
        if (OmnifuseError.isInstance(error)) {
          throw new OmnifuseError({
            code: error.code,
            message: error.field ? `column ${error.field}: ${error.reason}` : error.reason,
            plugin: ID,
            step: `preprocess/${error.step ?? 'pipeline'}`,
            record: context.record,
            field: context.field,
            cause: error,
          });
        }
        throw error;
      }
      return { dtype: 'float32', shape: [state.dim], data: Float32Array.from(out) };
    },

    featureSpec: (state) => ({ dtype: 'float32', shape: [state.dim] }),

    build: (context) =>
      inner.build({ ...context, state: { dim: context.state.dim, keys: null, mean: [], std: [] } }),
  };
  if (inner.augment) {
    const augment = inner.augment;
    return {
      ...encoder,
      augment: (feature, state, context) =>
        augment(feature, { dim: state.dim, keys: null, mean: [], std: [] }, context),
    };
  }
  return encoder;
}

export const dataVectorEncoderPlugin: EncoderPluginV1<DataVectorRaw, DataVectorEncoderState> = {
  specificationVersion: 'v1',
  kind: 'encoder',
  id: ID,
  modality: 'vector',
  packageName: PACKAGE_NAME,
  description:
    'Numeric features → a fitted @omnifuse/data pipeline (impute, transform, scale, reduce, select) → MLP',
  create: createDataVectorEncoder,
};

function optionsError(message: string, path: string): OmnifuseError {
  return new OmnifuseError({ code: ErrorCode.InvalidOptions, message, plugin: ID, path });
}

function isNamed(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One value as `inputDim` numbers in the fitted order; missing numbers become NaN. */
function toRow(
  raw: unknown,
  layout: { readonly keys: readonly string[] | null; readonly inputDim: number },
  where: RecordContext,
): number[] {
  const fail = (message: string, found: unknown): never => {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message,
      plugin: ID,
      step: 'read',
      record: where.record,
      field: where.field,
      found,
    });
  };
  let cells: unknown[];
  if (layout.keys) {
    if (!isNamed(raw)) return fail('expected an object of named numbers', raw);
    const extra = Object.keys(raw).filter((key) => !layout.keys!.includes(key));
    if (extra.length > 0)
      return fail(`unknown keys ${extra.join(', ')}; fitted on ${layout.keys.join(', ')}`, extra);
    cells = layout.keys.map((key) => raw[key]);
  } else if (Array.isArray(raw)) {
    cells = raw;
  } else {
    cells = [raw];
  }
  if (cells.length !== layout.inputDim) {
    return fail(`expected ${layout.inputDim} numbers; got ${cells.length}`, cells.length);
  }
  return cells.map((cell, i) => {
    if (cell === null || cell === undefined || cell === '') return Number.NaN;
    const n = typeof cell === 'string' ? Number(cell.trim()) : cell;
    if (typeof n !== 'number' || Number.isNaN(n)) {
      return fail(`value ${layout.keys?.[i] ?? i} is not a number: ${JSON.stringify(cell)}`, cell);
    }
    return n;
  });
}
