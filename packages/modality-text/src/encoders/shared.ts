import type { EncodedOutput, EncoderPluginV1, EncoderV1, Feature, FeatureSpec } from '@omnifuse/core';
import {
  asPluginError,
  customLayers,
  ErrorCode,
  hashSeed,
  OmnifuseError,
  parseEncoderOptions,
} from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import {
  createTextPipeline,
  fitVocabulary,
  type TextPipeline,
  type TextProcessingConfig,
  textProcessingSchema,
  type Vocabulary,
  type VocabularyJSON,
  vocabularyFromJSON,
  vocabularyOptionsSchema,
} from '../processing/index.js';
import {
  loadPretrainedVectors,
  type PretrainedVectorsOptions,
  type PretrainedVectorsState,
  pretrainedEmbeddingMatrix,
  pretrainedVectorsSchema,
} from '../word-vectors/index.js';

export const TEXT_PACKAGE_NAME = '@omnifuse/modality-text';
/** Bump when preprocessing changes what it returns for the same options and state. */
export const TEXT_PREPROCESSOR_VERSION = '1';

/** A text value: a string, or UTF-8 bytes. */
export type TextRaw = string | Uint8Array;

export interface TextEncoderState {
  readonly vocabulary: VocabularyJSON;
  /** Ids per example (CLS included when the vocabulary has one). */
  readonly maxLength: number;
  /** The pretrained word vectors' file, hash and coverage, when the options ask for them. */
  readonly pretrained?: PretrainedVectorsState;
}

export type VocabularyConfig = z.output<typeof vocabularyOptionsSchema>;

export type TextEncoderBaseOptions = Readonly<Record<string, unknown>> & {
  readonly text: TextProcessingConfig;
  readonly vocabulary: VocabularyConfig;
  readonly maxLength: number;
  readonly truncate: 'end' | 'start';
  readonly dim?: number | undefined;
  readonly pretrained?: PretrainedVectorsOptions | undefined;
};

/**
 * The shared part of a text encoder's options schema: text processing, the vocabulary fitted on the
 * training split, and how token ids are cut to `maxLength`, next to the architecture's fields.
 */
export function textEncoderOptions<Shape extends z.ZodRawShape>(architecture: Shape) {
  return z
    .object({
      text: textProcessingSchema.prefault({}),
      vocabulary: vocabularyOptionsSchema.prefault({}),
      /** Token ids per example: longer texts are cut, shorter ones padded with id 0. */
      maxLength: z.number().int().positive().max(4096).default(64),
      /** Which end of a long text is cut off (`end` keeps the start). */
      truncate: z.enum(['end', 'start']).default('end'),
      ...architecture,
    })
    .strict();
}

/** Options of encoders that start with a token embedding that may come from word vectors. */
export const tokenEmbeddingOptions = {
  /** Embedding size; default 64, or the word vectors' size (which it must then equal). */
  dim: z.number().int().positive().optional(),
  /** Pretrained word vectors (GloVe, word2vec text) for the vocabulary's words. */
  pretrained: pretrainedVectorsSchema.optional(),
};

export const DEFAULT_EMBEDDING_DIM = 64;

export interface TextBuildContext<Options> {
  readonly tf: typeof tfjs;
  /** `[batch, maxLength]` int32 token ids, 0 = padding. */
  readonly input: tfjs.SymbolicTensor;
  readonly name: string;
  readonly seed: number;
  readonly options: Options;
  readonly state: TextEncoderState;
  readonly maxLength: number;
  readonly vocabularySize: number;
  readonly seedFor: (label: string) => number;
  /**
   * `[batch, maxLength, dim]` token embeddings (from the word vectors when the state has them).
   * `maskZero` makes the embedding emit tfjs's padding mask, which recurrent layers honour.
   */
  readonly embedTokens: (args?: { maskZero?: boolean; dim?: number }) => {
    output: tfjs.SymbolicTensor;
    dim: number;
  };
  /** `[batch, maxLength]` float padding mask (1 = real token); one layer, however often called. */
  readonly tokenMask: () => tfjs.SymbolicTensor;
}

export interface TextEncoderDefinition<Options extends TextEncoderBaseOptions> {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly schema: z.ZodType<Options, unknown>;
  build(context: TextBuildContext<Options>): EncodedOutput;
}

export interface TextEncoderKit<Options extends TextEncoderBaseOptions> {
  readonly plugin: EncoderPluginV1<TextRaw, TextEncoderState>;
  readonly create: (options?: unknown) => EncoderV1<TextRaw, TextEncoderState> & { options: Options };
  readonly parseOptions: (options: unknown) => Options;
}

/** Builds a text encoder plugin from its architecture, as `defineAudioEncoder` does for audio. */
export function defineTextEncoder<Options extends TextEncoderBaseOptions>(
  definition: TextEncoderDefinition<Options>,
): TextEncoderKit<Options> {
  const { id } = definition;
  const version = `${definition.version}+preprocess.${TEXT_PREPROCESSOR_VERSION}`;
  const parseOptions = (options: unknown): Options => parseEncoderOptions(id, definition.schema, options);

  const create = (options: unknown = {}) => {
    const parsed = parseOptions(options);
    const pipeline = createPipelineFor(id, parsed.text);
    const vocabularies = new WeakMap<TextEncoderState, Vocabulary>();
    const vocabularyOf = (state: TextEncoderState) => {
      let vocabulary = vocabularies.get(state);
      if (!vocabulary) {
        vocabulary = vocabularyFromJSON(state.vocabulary);
        vocabularies.set(state, vocabulary);
      }
      return vocabulary;
    };
    const featureSpec = (state: TextEncoderState): FeatureSpec => ({
      dtype: 'int32',
      shape: [state.maxLength],
    });

    const encoder: EncoderV1<TextRaw, TextEncoderState> & { options: Options } = {
      specificationVersion: 'v1',
      id,
      modality: 'text',
      version,
      options: parsed,
      async fit(values, { field, records }) {
        const documents = values.map((raw, index) => {
          const record = records?.[index] ?? index;
          try {
            return pipeline.tokens(raw, { record, field });
          } catch (error) {
            throw asPluginError(error, { plugin: id, step: 'fit', record, field });
          }
        });
        let vocabulary: VocabularyJSON;
        try {
          vocabulary = fitVocabulary(documents, parsed.vocabulary).toJSON();
        } catch (error) {
          throw asPluginError(error, { plugin: id, step: 'fit', field });
        }
        const state: TextEncoderState = { vocabulary, maxLength: parsed.maxLength };
        if (!parsed.pretrained) return state;
        try {
          return {
            ...state,
            pretrained: await loadPretrainedVectors(parsed.pretrained, vocabulary, parsed.dim),
          };
        } catch (error) {
          throw asPluginError(error, {
            plugin: id,
            step: 'fit',
            field,
            path: optionPath(error, 'pretrained'),
          });
        }
      },
      preprocess(raw, state, { record, field }): Feature {
        try {
          const tokens = pipeline.tokens(raw, { record, field });
          const { ids } = vocabularyOf(state).encode(tokens, state.maxLength, { truncate: parsed.truncate });
          return { dtype: 'int32', shape: [state.maxLength], data: ids };
        } catch (error) {
          throw asPluginError(error, { plugin: id, step: 'preprocess', record, field });
        }
      },
      featureSpec,
      build({ tf, input, state, name, seed }) {
        const seedFor = (label: string) => hashSeed(`${seed}:${label}`);
        const vocabularySize = state.vocabulary.tokens.length;
        let embedded = 0;
        let mask: tfjs.SymbolicTensor | undefined;
        return definition.build({
          tf,
          input,
          name,
          seed,
          options: parsed,
          state,
          maxLength: state.maxLength,
          vocabularySize,
          seedFor,
          embedTokens: (args = {}) => {
            const label = embedded++ === 0 ? 'embedding' : `embedding_${embedded - 1}`;
            return embedTokens(tf, input, state, {
              dim: args.dim ?? parsed.dim ?? DEFAULT_EMBEDDING_DIM,
              maskZero: args.maskZero ?? false,
              name: `${name}/${label}`,
              seed: seedFor(label),
              plugin: id,
            });
          },
          tokenMask: () => {
            const { TokenMask } = customLayers(tf);
            mask ??= new TokenMask({ name: `${name}/token_mask` }).apply(input) as tfjs.SymbolicTensor;
            return mask;
          },
        });
      },
    };
    return encoder;
  };

  const plugin: EncoderPluginV1<TextRaw, TextEncoderState> = {
    specificationVersion: 'v1',
    kind: 'encoder',
    id,
    modality: 'text',
    packageName: TEXT_PACKAGE_NAME,
    description: definition.description,
    create,
  };
  return { plugin, create, parseOptions };
}

/** The option an error is about: its own path when it has one (e.g. `dim`), else `fallback`. */
function optionPath(error: unknown, fallback: string): string | undefined {
  return OmnifuseError.isInstance(error) && error.path ? undefined : fallback;
}

function createPipelineFor(id: string, options: TextProcessingConfig): TextPipeline {
  try {
    return createTextPipeline(options);
  } catch (error) {
    throw asPluginError(error, { plugin: id, step: 'create', code: ErrorCode.InvalidOptions, path: 'text' });
  }
}

/**
 * A token embedding layer applied to the ids. With word vectors in the state its size is theirs
 * and its initial weights are the vectors (set after the layer is built, so the saved topology keeps
 * a plain `zeros` initialiser instead of a 20k × 300 matrix); otherwise Keras's uniform ±0.05.
 */
function embedTokens(
  tf: typeof tfjs,
  input: tfjs.SymbolicTensor,
  state: TextEncoderState,
  args: { dim: number; maskZero: boolean; name: string; seed: number; plugin: string },
): { output: tfjs.SymbolicTensor; dim: number } {
  const size = state.vocabulary.tokens.length;
  const { pretrained } = state;
  const dim = pretrained?.dim ?? args.dim;
  const layer = tf.layers.embedding({
    inputDim: size,
    outputDim: dim,
    maskZero: args.maskZero || undefined,
    trainable: pretrained ? pretrained.trainable : true,
    embeddingsInitializer: pretrained
      ? tf.initializers.zeros()
      : tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: args.seed }),
    name: args.name,
  });
  const output = layer.apply(input) as tfjs.SymbolicTensor;
  if (pretrained) {
    let matrix: Float32Array;
    try {
      matrix = pretrainedEmbeddingMatrix(pretrained, state.vocabulary, args.seed);
    } catch (error) {
      throw asPluginError(error, {
        plugin: args.plugin,
        step: 'build',
        path: optionPath(error, 'pretrained'),
      });
    }
    const weights = tf.tensor2d(matrix, [size, dim]);
    layer.setWeights([weights]);
    weights.dispose();
  }
  return { output, dim };
}
