import {
  asPluginError,
  type EncoderPluginV1,
  ErrorCode,
  OmnifuseError,
  projectionOptionsSchema,
} from '@omnifuse/core';
import { defineOnnxEncoder, modelValueName, type OnnxEncoderStateBase, type OnnxModel } from '@omnifuse/onnx';
import { z } from 'zod';
import { checkAudioValue } from './check-audio.js';
import { audioValueMeasure } from './measure-audio.js';
import {
  AUDIO_PACKAGE_NAME,
  AUDIO_PREPROCESSOR_VERSION,
  type AudioRaw,
  audioPreprocessSchema,
  createAudioPreprocessor,
} from './shared.js';
import { type AudioStandardization, fitGlobalStandardization, standardizationOf } from './standardize.js';

const ID = 'audio:onnx';

const projectionHead = projectionOptionsSchema().shape;

export const audioOnnxEncoderOptionsSchema = z
  .object({
    /** Path of the `.onnx` file; a relative path resolves against the process's working directory. */
    model: z.string().min(1),
    /** Feature input name; default the model's first input. */
    input: z.string().min(1).optional(),
    /** Output used as the feature (e.g. a pooled embedding); default the model's first output. */
    output: z.string().min(1).optional(),
    /**
     * The spectrogram/MFCC the model takes, as `[batch, frames, dims]` or, for a model with a
     * rank-4 input, `[batch, 1, frames, dims]` (one channel).
     */
    preprocess: audioPreprocessSchema.prefault({}),
    /** Units of a trainable dense layer on the frozen features; null passes them through. */
    projection: projectionHead.units.nullable().default(null),
    activation: projectionHead.activation,
  })
  .strict();

export type AudioOnnxEncoderOptions = z.output<typeof audioOnnxEncoderOptionsSchema>;
export type AudioOnnxEncoderOptionsInput = z.input<typeof audioOnnxEncoderOptionsSchema>;

/** What `fit` pins (plain JSON, hashed into the feature-cache key and stored in bundles). */
export interface AudioOnnxEncoderState extends OnnxEncoderStateBase {
  readonly input: string;
  readonly output: string;
  /** The model input's rank: 3 (`[batch, frames, dims]`) or 4 (`[batch, 1, frames, dims]`). */
  readonly inputRank: 3 | 4;
  readonly outputDim: number;
  /** Fitted with `preprocess.standardize: 'global'`: the model sees (x − mean) / std. */
  readonly standardize?: AudioStandardization;
}

/**
 * A pretrained audio model exported to ONNX, run frozen on the spectrogram/MFCC with
 * onnxruntime-node while preprocessing, so its embeddings land in the feature cache and training only
 * fits the layers on top (like `vision:onnx`; no `augment`, which would rerun the network every epoch).
 */
const audioOnnxEncoder = defineOnnxEncoder<
  AudioRaw,
  AudioOnnxEncoderOptions,
  AudioOnnxEncoderState,
  Float32Array,
  AudioStandardization | undefined
>({
  id: ID,
  modality: 'audio',
  packageName: AUDIO_PACKAGE_NAME,
  description:
    'Audio → log-mel/MFCC frames → a frozen pretrained ONNX model (onnxruntime-node, features cached) → optional dense projection → vector',
  version: `1.0.0+preprocess.${AUDIO_PREPROCESSOR_VERSION}`,
  schema: audioOnnxEncoderOptionsSchema,

  instance(parsed) {
    let preprocessor: ReturnType<typeof createAudioPreprocessor>;
    try {
      preprocessor = createAudioPreprocessor(parsed.preprocess, 'sequence');
    } catch (error) {
      const inner = OmnifuseError.isInstance(error) ? (error.path ?? error.field) : undefined;
      throw asPluginError(error, {
        plugin: ID,
        code: ErrorCode.InvalidOptions,
        step: 'create',
        path: inner ? `preprocess.features.${inner}` : 'preprocess',
      });
    }
    const [frames, dims] = preprocessor.featureSpec().shape as [number, number];

    const embed = async (
      loaded: OnnxModel,
      state: Pick<AudioOnnxEncoderState, 'input' | 'output' | 'inputRank'>,
      data: Float32Array,
    ): Promise<Float32Array> => {
      const shape = state.inputRank === 4 ? [1, 1, frames, dims] : [1, frames, dims];
      // One clip per run: a feature must not depend on which records happen to share a batch.
      const result = await loaded.run({ [state.input]: { data, dims: shape } }, { outputs: [state.output] });
      const out = result[state.output]!;
      if (!(out.data instanceof Float32Array)) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidOptions,
          message: `the model's output "${state.output}" is not float32`,
          path: 'output',
          expected: 'float32',
          found: out.dtype,
        });
      }
      return Float32Array.from(out.data);
    };

    return {
      // Only `standardize: 'global'` learns from the data.
      learn: async (values, context) =>
        parsed.preprocess.standardize === 'global'
          ? await fitGlobalStandardization(preprocessor, values, context, ID)
          : undefined,

      // Checks the model's input against the feature shape and measures the embedding on a silent clip.
      async fit(loaded, _context, standardize) {
        const input = modelValueName(loaded, 'input', parsed.input);
        const output = modelValueName(loaded, 'output', parsed.output);
        const inputRank = checkInputShape(loaded, input, frames, dims);
        const probe = await embed(loaded, { input, output, inputRank }, new Float32Array(frames * dims));
        return { input, output, inputRank, outputDim: probe.length, ...(standardize ? { standardize } : {}) };
      },

      async prepare(raw, state, context) {
        let standardize: AudioStandardization | undefined;
        try {
          standardize = standardizationOf(parsed.preprocess.standardize, state.standardize, ID);
        } catch (error) {
          throw (error as OmnifuseError).withContext({ record: context.record, field: context.field });
        }
        const feature = await preprocessor.preprocess(raw, context, standardize);
        return feature.data as Float32Array;
      },

      run: (loaded, data, state) => embed(loaded, state, data),

      featureShape: (state) => [state.outputDim],

      check: (raw, context) => checkAudioValue(raw, context, { maxDuration: parsed.preprocess.maxDuration }),
      measure: audioValueMeasure({ maxDuration: parsed.preprocess.maxDuration }),

      head: { units: parsed.projection, activation: parsed.activation, dropout: 0 },
    };
  },
});

export const createAudioOnnxEncoder = audioOnnxEncoder.create;
export const audioOnnxEncoderPlugin: EncoderPluginV1<AudioRaw, AudioOnnxEncoderState> =
  audioOnnxEncoder.plugin;

/** The input's rank (3 or 4), after checking its fixed sizes against the preprocessed feature. */
function checkInputShape(model: OnnxModel, input: string, frames: number, dims: number): 3 | 4 {
  const shape = model.inputs.find((i) => i.name === input)?.shape;
  if (!shape) return 3; // undeclared rank: feed [batch, frames, dims]
  const want = shape.length === 4 ? [1, frames, dims] : [frames, dims];
  const fits =
    (shape.length === 3 || shape.length === 4) &&
    shape.slice(1).every((size, i) => typeof size !== 'number' || size === want[i]);
  if (!fits) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `the model's input "${input}" does not take the preprocessed ${frames}×${dims} feature; change preprocess`,
      path: 'preprocess',
      expected: `[batch, ${frames}, ${dims}] or [batch, 1, ${frames}, ${dims}]`,
      found: `[${shape.join(', ')}]`,
    });
  }
  return shape.length as 3 | 4;
}
