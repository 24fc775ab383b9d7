import {
  applyProjection,
  type EncoderPluginV1,
  type EncoderV1,
  ErrorCode,
  errorFields,
  OmnifuseError,
  parseEncoderOptions,
  projectionOptionsSchema,
} from '@omnifuse/core';
import { z } from 'zod';
import { fitTfidf } from '../tfidf/fit-tfidf.js';
import { tfidfOptionsSchema } from '../tfidf/options.js';
import { type TfidfModel, type TfidfModelJSON, tfidfFromJSON } from '../tfidf/tfidf-model.js';

const ID = 'text:tfidf';
const PACKAGE_NAME = '@omnifuse/modality-text';

export const tfidfEncoderOptionsSchema = z.strictObject({
  /**
   * The vectorizer (scikit-learn `TfidfVectorizer` defaults), except `maxFeatures`, 20 000 here by
   * default: the feature is the dense `[vocabularySize]` row, so it must stay bounded (`null` lifts it).
   */
  tfidf: tfidfOptionsSchema
    .extend({ maxFeatures: z.number().int().positive().nullable().default(20_000) })
    .prefault({}),
  /** A dense layer over the TF-IDF row; `null` hands the row to fusion as it is. */
  /** Its dropout comes after the dense layer (training only). */
  projection: projectionOptionsSchema({ units: 64, dropout: 0.2 }).nullable().prefault({}),
});

export type TfidfEncoderOptions = z.output<typeof tfidfEncoderOptionsSchema>;
export type TfidfEncoderOptionsInput = z.input<typeof tfidfEncoderOptionsSchema>;

/** The fitted vectorizer, as `TfidfModel.toJSON()` writes it. */
export type TfidfEncoderState = TfidfModelJSON;

/**
 * Text → scikit-learn-exact TF-IDF row (float32 `[vocabularySize]`) → optional dense projection.
 * `fit` learns the vocabulary and idf on the training texts only.
 */
export function createTfidfEncoder(options: unknown = {}): EncoderV1<string, TfidfEncoderState> {
  const parsed = parseEncoderOptions(ID, tfidfEncoderOptionsSchema, options);
  // Rebuilding the model from its JSON once per state object keeps preprocess cheap.
  const models = new WeakMap<TfidfEncoderState, TfidfModel>();
  const modelOf = (state: TfidfEncoderState, record?: string | number, field?: string): TfidfModel => {
    let model = models.get(state);
    if (!model) {
      model = withContext(() => tfidfFromJSON(state), { step: 'preprocess', record, field });
      models.set(state, model);
    }
    return model;
  };

  return {
    specificationVersion: 'v1',
    id: ID,
    modality: 'text',
    version: '1.0.0',
    options: parsed,

    fit(values, { field, records }) {
      for (const [index, value] of values.entries()) {
        checkText(value, { step: 'fit', record: records?.[index] ?? index, field });
      }
      const model = withContext(() => fitTfidf(values, parsed.tfidf), { step: 'fit', field });
      const state = model.toJSON();
      models.set(state, model);
      return state;
    },

    preprocess(raw, state, { record, field }) {
      checkText(raw, { step: 'preprocess', record, field });
      const model = modelOf(state, record, field);
      return { dtype: 'float32', shape: [model.vocabularySize], data: model.transformDense(raw) };
    },

    featureSpec: (state) => ({ dtype: 'float32', shape: [state.terms.length] }),

    build({ tf, input, state, name, seed }) {
      const dim = state.terms.length;
      const projection = parsed.projection;
      if (projection === null) return { kind: 'vector', output: input, dim };
      const x = applyProjection(tf, input, projection, {
        name,
        seed,
        labels: { dense: 'tfidf_dense', dropout: 'tfidf_dropout' },
        dropoutAt: 'output',
      });
      return { kind: 'vector', output: x, dim: projection.units };
    },
  };
}

export const tfidfEncoderPlugin: EncoderPluginV1<string, TfidfEncoderState> = {
  specificationVersion: 'v1',
  kind: 'encoder',
  id: ID,
  modality: 'text',
  packageName: PACKAGE_NAME,
  description: 'Text → scikit-learn-exact TF-IDF (word or character n-grams) → dense projection',
  create: createTfidfEncoder,
};

interface Where {
  readonly step: 'fit' | 'preprocess';
  readonly record?: string | number;
  readonly field?: string;
}

function checkText(value: unknown, where: Where): asserts value is string {
  if (typeof value === 'string') return;
  throw new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message: 'expected text',
    plugin: ID,
    ...where,
    expected: 'a string',
    found: value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value,
  });
}

/** Runs a TF-IDF call, stamping its OmnifuseErrors with this plugin and where it ran. */
function withContext<T>(run: () => T, where: Where): T {
  try {
    return run();
  } catch (error) {
    if (!OmnifuseError.isInstance(error)) throw error;
    // The plugin's step replaces the vectorizer's own (`fit`, `fromJSON`); the rest is kept.
    throw new OmnifuseError({ ...errorFields(error), plugin: ID, ...where, cause: error });
  }
}
