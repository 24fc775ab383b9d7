import type {
  EncodedOutput,
  EncoderPluginV1,
  EncoderV1,
  Feature,
  FeatureSpec,
  MediaRef,
} from '@omnifuse/core';
import {
  copyFeatureSpec,
  ErrorCode,
  errorFields,
  hashSeed,
  OmnifuseError,
  parseEncoderOptions,
} from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import {
  type AudioAugmentConfig,
  type AudioAugmentContext,
  audioAugmentSchema,
  augmentSpectrogram,
  parseAudioAugmentOptions,
} from '../augment/index.js';
import { decodeAudio } from '../decode/decode-audio.js';
import { tooLongError } from '../decode/decode-limits.js';
import type { DecodedAudio } from '../decode/decoded-audio.js';
import { downmix } from '../decode/downmix.js';
import { createFeatureExtractor, type FeatureExtractor, featureExtractorSchema } from '../features/index.js';
import { fitDuration } from '../signal/fit-duration.js';
import { normalizeGain } from '../signal/normalize-gain.js';
import { resample } from '../signal/resample.js';
import type { AudioRaw } from './audio-raw.js';
import { checkAudioValue } from './check-audio.js';
import { audioValueMeasure } from './measure-audio.js';
import {
  type AudioStandardization,
  fitGlobalStandardization,
  standardizationOf,
  standardizeFeatures,
} from './standardize.js';

export const AUDIO_PACKAGE_NAME = '@omnifuse/modality-audio';
/** Bump when preprocessing changes what it returns for the same options. */
export const AUDIO_PREPROCESSOR_VERSION = '1';

/** An audio file (WAV, FLAC, MP3, Ogg Vorbis) or inline file bytes, or audio already decoded in code. */
export type { AudioRaw } from './audio-raw.js';

export interface AudioEncoderState {
  readonly featureSpec: FeatureSpec;
  /** Fitted with `preprocess.standardize: 'global'`; absent otherwise (and in bundles from before it). */
  readonly standardize?: AudioStandardization;
}

export const audioPreprocessSchema = z
  .object({
    /** Rate the clip is resampled to before features (Hz). */
    sampleRate: z.number().positive().default(8000),
    /** Seconds every clip is cropped or zero-padded to. */
    duration: z.number().positive().default(1),
    crop: z.enum(['start', 'centre']).default('centre'),
    /**
     * Longest source clip accepted, in seconds (before cropping to `duration`). `check` reports a
     * longer one as `audio-too-long` from its header, and `preprocess` refuses it (`too-long`),
     * stopping the decoder as soon as it passes the limit, so a file that lies about its length
     * cannot exhaust memory.
     */
    maxDuration: z.number().positive().default(600),
    gain: z
      .object({ mode: z.enum(['peak', 'rms']), target: z.number().min(0) })
      .strict()
      .optional(),
    /** Feature extractor options; the sample rate is `sampleRate` above. */
    features: featureExtractorSchema.omit({ sampleRate: true }).prefault({}),
    /**
     * `global`: `fit` reads the training clips (at most 10,000, evenly strided) and fits one mean and
     * population std over every feature value; `preprocess` then returns (x − mean) / std (a std of 0
     * divides by 1). `none` leaves the features as extracted.
     */
    standardize: z.enum(['none', 'global']).default('none'),
  })
  .strict();

export type AudioPreprocessOptions = z.output<typeof audioPreprocessSchema>;

export type AudioEncoderBaseOptions = Readonly<Record<string, unknown>> & {
  readonly preprocess: AudioPreprocessOptions;
  readonly augment?: AudioAugmentConfig | undefined;
};

/**
 * The shared part of an audio encoder's options schema: `preprocess` and optional train-time
 * `augment` (of the cached spectrogram), next to the architecture's fields.
 */
export function audioEncoderOptions<Shape extends z.ZodRawShape>(architecture: Shape) {
  return z
    .object({
      preprocess: audioPreprocessSchema.prefault({}),
      augment: audioAugmentSchema.optional(),
      ...architecture,
    })
    .strict();
}

/**
 * How an encoder sees the spectrogram: `image` is `[frames, dims, 1]` (2-D convolutions),
 * `sequence` is `[frames, dims]` (one feature vector per frame: 1-D convolutions, RNNs, attention).
 */
export type AudioFeatureLayout = 'image' | 'sequence';

export interface AudioBuildContext<Options> {
  readonly tf: typeof tfjs;
  /** `[batch, frames, dims, 1]` (`image` layout) or `[batch, frames, dims]` (`sequence` layout). */
  readonly input: tfjs.SymbolicTensor;
  readonly name: string;
  readonly seed: number;
  readonly options: Options;
  /** Shape of the preprocessed feature: `[frames, dims, 1]` or `[frames, dims]` by layout. */
  readonly featureShape: readonly number[];
  readonly frames: number;
  readonly dims: number;
  readonly seedFor: (label: string) => number;
}

export interface AudioEncoderDefinition<Options extends AudioEncoderBaseOptions> {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly layout: AudioFeatureLayout;
  readonly schema: z.ZodType<Options, unknown>;
  build(context: AudioBuildContext<Options>): EncodedOutput;
}

export interface AudioEncoderKit<Options extends AudioEncoderBaseOptions> {
  readonly plugin: EncoderPluginV1<AudioRaw, AudioEncoderState>;
  readonly create: (options?: unknown) => EncoderV1<AudioRaw, AudioEncoderState> & { options: Options };
  readonly parseOptions: (options: unknown) => Options;
}

/** Where a clip comes from, for reading it and for naming it in errors. */
export interface AudioClipContext {
  record: string | number;
  field: string;
  readMedia(ref: MediaRef): Promise<Uint8Array>;
}

/**
 * The fixed-length spectrogram pipeline: decode → downmix → resample → fit duration → gain →
 * features (→ standardisation with fitted statistics).
 */
export interface AudioPreprocessor {
  featureSpec(): FeatureSpec;
  /** One clip's features; (x − mean) / std of the float64 features when `standardize` is given. */
  preprocess(
    raw: AudioRaw,
    context: AudioClipContext,
    standardize?: Pick<AudioStandardization, 'mean' | 'std'>,
  ): Promise<Feature>;
  /** One clip's features in float64, before rounding and standardisation: what `fit` sums. */
  featuresFloat64(raw: AudioRaw, context: AudioClipContext): Promise<Float64Array>;
}

export function createAudioPreprocessor(
  options: AudioPreprocessOptions,
  layout: AudioFeatureLayout = 'image',
): AudioPreprocessor {
  const extractor: FeatureExtractor = createFeatureExtractor({
    ...options.features,
    sampleRate: options.sampleRate,
  });
  const length = Math.round(options.duration * options.sampleRate);
  const frames = extractor.frames(length);
  const shape = layout === 'image' ? [frames, extractor.dims, 1] : [frames, extractor.dims];
  /** `extract` on the clip decoded and fitted to length; errors name the record, field and file. */
  const withClip = async <T>(
    raw: AudioRaw,
    context: AudioClipContext,
    extract: (samples: Float32Array) => T,
  ): Promise<T> => {
    const file = isMediaRef(raw) && raw.kind === 'file' ? raw.relativePath : undefined;
    const where = { record: context.record, field: context.field, ...(file ? { file } : {}) };
    try {
      const audio = isMediaRef(raw)
        ? await decodeMono(await context.readMedia(raw), options.maxDuration)
        : checkDecoded(raw, options.maxDuration);
      let samples = audio.samples;
      if (audio.sampleRate !== options.sampleRate)
        samples = resample(samples, audio.sampleRate, options.sampleRate);
      samples = fitDuration(samples, length, { mode: options.crop });
      if (options.gain) samples = normalizeGain(samples, options.gain);
      return extract(samples);
    } catch (error) {
      if (OmnifuseError.isInstance(error)) throw error.withContext(where);
      throw error;
    }
  };
  return {
    featureSpec: () => ({ dtype: 'float32', shape: [...shape] }),
    async preprocess(raw, context, standardize) {
      const data = await withClip(raw, context, (samples) =>
        standardize
          ? standardizeFeatures(extractor.extractFloat64(samples).data, standardize)
          : extractor.extract(samples).data,
      );
      return { dtype: 'float32', shape: [...shape], data };
    },
    featuresFloat64: (raw, context) =>
      withClip(raw, context, (samples) => extractor.extractFloat64(samples).data),
  };
}

/** WAV, FLAC, MP3 or Ogg Vorbis by magic bytes; an MP3's skipped frames (`decodeErrors`) are tolerated. */
async function decodeMono(bytes: Uint8Array, maxSeconds: number): Promise<DecodedAudio> {
  const audio = await decodeAudio(bytes, undefined, { maxSeconds });
  return { sampleRate: audio.sampleRate, samples: downmix(audio.samples) };
}

function isMediaRef(raw: AudioRaw): raw is MediaRef {
  return typeof raw === 'object' && raw !== null && 'kind' in raw;
}

function checkDecoded(raw: unknown, maxSeconds: number): DecodedAudio {
  const audio = raw as Partial<DecodedAudio> | null;
  if (
    typeof audio !== 'object' ||
    audio === null ||
    !(audio.samples instanceof Float32Array) ||
    typeof audio.sampleRate !== 'number' ||
    !(audio.sampleRate > 0) ||
    audio.samples.length === 0
  ) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message:
        'audio must be an audio file media reference or { sampleRate, samples: Float32Array } with samples',
      expected: 'MediaRef | DecodedAudio',
      found: typeof raw,
    });
  }
  const seconds = audio.samples.length / audio.sampleRate;
  if (seconds > maxSeconds) throw tooLongError(seconds, maxSeconds, undefined, 'given');
  return audio as DecodedAudio;
}

/** Builds an audio encoder plugin from its architecture, the way the vision package's `defineImageEncoder` does. */
export function defineAudioEncoder<Options extends AudioEncoderBaseOptions>(
  definition: AudioEncoderDefinition<Options>,
): AudioEncoderKit<Options> {
  const { id } = definition;
  const version = `${definition.version}+preprocess.${AUDIO_PREPROCESSOR_VERSION}`;
  const parseOptions = (options: unknown): Options =>
    parseAudioEncoderOptions(id, definition.schema, options);

  const create = (options: unknown = {}) => {
    const parsed = parseOptions(options);
    const preprocessor = createPreprocessorFor(id, parsed.preprocess, definition.layout);
    const encoder: EncoderV1<AudioRaw, AudioEncoderState> & { options: Options } = {
      specificationVersion: 'v1',
      id,
      modality: 'audio',
      version,
      options: parsed,
      fit(values, context) {
        const featureSpec = copyFeatureSpec(preprocessor.featureSpec());
        if (parsed.preprocess.standardize === 'none') return { featureSpec };
        return fitGlobalStandardization(preprocessor, values, context, id).then((standardize) => ({
          featureSpec,
          standardize,
        }));
      },
      async preprocess(raw, state, context) {
        let standardize: AudioStandardization | undefined;
        try {
          standardize = standardizationOf(parsed.preprocess.standardize, state.standardize, id);
        } catch (error) {
          throw (error as OmnifuseError).withContext({ record: context.record, field: context.field });
        }
        return preprocessor.preprocess(raw, context, standardize);
      },
      check: (raw, context) => checkAudioValue(raw, context, { maxDuration: parsed.preprocess.maxDuration }),
      measure: audioValueMeasure({ maxDuration: parsed.preprocess.maxDuration }),
      featureSpec: (state) => copyFeatureSpec(state.featureSpec),
      build({ tf, input, state, name, seed }) {
        const [frames, dims] = state.featureSpec.shape;
        return definition.build({
          tf,
          input,
          name,
          seed,
          options: parsed,
          featureShape: [...state.featureSpec.shape],
          frames: frames!,
          dims: dims!,
          seedFor: (label) => hashSeed(`${seed}:${label}`),
        });
      },
    };
    const augmentOptions = parsed.augment;
    if (augmentOptions && augmentsAnything(augmentOptions)) {
      const augmentContext = checkAugment(id, augmentOptions, parsed.preprocess);
      // Only when asked for, so the trainer keeps no training features for an encoder that never augments.
      encoder.augment = (feature, _state, { rng, record, field }): Feature => {
        try {
          return augmentSpectrogram(feature, augmentOptions, augmentContext, rng);
        } catch (error) {
          if (OmnifuseError.isInstance(error))
            throw error.withContext({ plugin: id, step: 'augment', record, field });
          throw error;
        }
      };
    }
    return encoder;
  };

  const plugin: EncoderPluginV1<AudioRaw, AudioEncoderState> = {
    specificationVersion: 'v1',
    kind: 'encoder',
    id,
    modality: 'audio',
    packageName: AUDIO_PACKAGE_NAME,
    description: definition.description,
    create,
  };
  return { plugin, create, parseOptions };
}

/** Parses options with a schema; the first issue becomes an E_OPTIONS error naming plugin and path. */
export const parseAudioEncoderOptions: <Options>(
  id: string,
  schema: z.ZodType<Options, unknown>,
  options: unknown,
) => Options = parseEncoderOptions;

function createPreprocessorFor(
  id: string,
  options: AudioPreprocessOptions,
  layout: AudioFeatureLayout,
): AudioPreprocessor {
  try {
    return createAudioPreprocessor(options, layout);
  } catch (error) {
    if (!OmnifuseError.isInstance(error)) throw error;
    const inner = error.path ?? error.field;
    throw new OmnifuseError({
      ...errorFields(error),
      code: ErrorCode.InvalidOptions,
      plugin: error.plugin ?? id,
      step: error.step ?? 'create',
      path: inner ? `preprocess.features.${inner}` : 'preprocess',
      cause: error,
    });
  }
}

/** Whether augment options change anything at all (absent parts and zero widths are no-ops). */
export function augmentsAnything(options: AudioAugmentConfig): boolean {
  const masks = (m: AudioAugmentConfig['timeMasks']) => !!m && m.count > 0 && m.maxWidth > 0;
  return (
    (options.timeShift?.maxFrames ?? 0) > 0 ||
    options.noise !== undefined ||
    masks(options.timeMasks) ||
    masks(options.frequencyMasks)
  );
}

/** Checks augment options against the feature they will see, at create, so a bad mix is an options error. */
function checkAugment(
  id: string,
  options: AudioAugmentConfig,
  preprocess: AudioPreprocessOptions,
): AudioAugmentContext {
  const { kind, deltas, cmvn, log1p } = preprocess.features;
  const context: AudioAugmentContext = {
    kind,
    deltas,
    cmvn,
    ...(log1p !== undefined ? { log1p } : {}),
    standardized: preprocess.standardize === 'global',
  };
  try {
    parseAudioAugmentOptions(options, context);
  } catch (error) {
    if (!OmnifuseError.isInstance(error)) throw error;
    throw new OmnifuseError({
      ...errorFields(error),
      code: ErrorCode.InvalidOptions,
      plugin: id,
      step: 'create',
      path: error.path ? `augment.${error.path}` : 'augment',
      cause: error,
    });
  }
  return context;
}
