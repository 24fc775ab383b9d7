import type { EncodedOutput, EncoderPluginV1, EncoderV1, Feature, FeatureSpec } from '@omnifuse/core';
import {
  copyFeatureSpec,
  ErrorCode,
  errorFields,
  hashSeed,
  type LayerActivation,
  layerActivationSchema,
  OmnifuseError,
  parseEncoderOptions,
} from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { imageValueCheck } from '../check/check-image.js';
import { measureImageValue } from '../check/measure-image.js';
import {
  type ImageAugmentOptions,
  type ImagePreprocessOptions,
  type ImageRaw,
  imageAugmentSchema,
  imagePreprocessSchema,
} from '../image-options.js';
import { visionLayers } from '../layers/vision-layers.js';
import {
  augmentImage,
  createImagePreprocessor,
  IMAGE_PREPROCESSOR_VERSION,
  pixelNormalization,
} from '../preprocess/index.js';

export const VISION_PACKAGE_NAME = '@omnifuse/modality-vision';

/** What every vision encoder's `fit` keeps: only the feature spec preprocessing yields (plain JSON). */
export interface ImageEncoderState {
  readonly featureSpec: FeatureSpec;
}

/** Options every vision encoder shares, whatever its architecture. */
export type ImageEncoderBaseOptions = Readonly<Record<string, unknown>> & {
  readonly preprocess: ImagePreprocessOptions;
  readonly augment?: ImageAugmentOptions;
};

/**
 * The shared part of a vision encoder's options schema: `preprocess` (defaults filled in even when
 * it is left out) and optional `augment`, next to the architecture's own fields.
 */
export function imageEncoderOptions<Shape extends z.ZodRawShape>(architecture: Shape) {
  return z
    .object({
      preprocess: imagePreprocessSchema.prefault({}),
      augment: imageAugmentSchema.optional(),
      ...architecture,
    })
    .strict();
}

/** What an architecture's `build` receives: the core build context plus the parsed options. */
export interface ImageBuildContext<Options> {
  readonly tf: typeof tfjs;
  /** The image as `preprocess.normalize` says, whatever the feature's dtype (uint8 is normalised first). */
  readonly input: tfjs.SymbolicTensor;
  readonly name: string;
  readonly seed: number;
  readonly options: Options;
  /** `[height, width, channels]` of the preprocessed image. */
  readonly imageShape: readonly [number, number, number];
  /** A seed for one named weight, derived from the build seed, so every layer draws its own. */
  readonly seedFor: (label: string) => number;
}

export interface ImageEncoderDefinition<Options extends ImageEncoderBaseOptions> {
  readonly id: string;
  /** Bump when the built layers change; the preprocessor's version is appended to it. */
  readonly version: string;
  readonly description: string;
  readonly schema: z.ZodType<Options, unknown>;
  build(context: ImageBuildContext<Options>): EncodedOutput;
}

export interface ImageEncoderKit<Options extends ImageEncoderBaseOptions> {
  readonly plugin: EncoderPluginV1<ImageRaw, ImageEncoderState>;
  readonly create: (options?: unknown) => EncoderV1<ImageRaw, ImageEncoderState> & { options: Options };
  /** Validates options the way `create` does (E_OPTIONS naming the plugin and the option path). */
  readonly parseOptions: (options: unknown) => Options;
}

/**
 * Builds a vision encoder plugin from its architecture: option validation, `fit` (nothing to learn
 * but the feature spec), `preprocess` and `augment` through the shared image preprocessing, and the
 * architecture's `build` on the preprocessed `[height, width, channels]` input.
 */
export function defineImageEncoder<Options extends ImageEncoderBaseOptions>(
  definition: ImageEncoderDefinition<Options>,
): ImageEncoderKit<Options> {
  const { id } = definition;
  // Part of the feature-cache key, so features of an older preprocessor are not reused.
  const version = `${definition.version}+preprocess.${IMAGE_PREPROCESSOR_VERSION}`;
  const parseOptions = (options: unknown): Options =>
    parseImageEncoderOptions(id, definition.schema, options);

  const create = (options: unknown = {}) => {
    const parsed = parseOptions(options);
    const preprocessor = createPreprocessorFor(id, parsed.preprocess);
    const encoder: EncoderV1<ImageRaw, ImageEncoderState> & { options: Options } = {
      specificationVersion: 'v1',
      id,
      modality: 'image',
      version,
      options: parsed,

      // Preprocessing has no statistics to learn; the state pins the feature spec for the bundle.
      fit: () => ({ featureSpec: copyFeatureSpec(preprocessor.featureSpec()) }),

      // Its errors are E_INPUT naming the record and field; the caller's step wrapper adds the plugin.
      preprocess: (raw, _state, context) => preprocessor.preprocess(raw, context),

      featureSpec: (state) => copyFeatureSpec(state.featureSpec),

      // Header-only: format, size against maxPixels, truncation and CRCs, before anything decodes.
      check: imageValueCheck({ maxPixels: parsed.preprocess.maxPixels }),
      measure: measureImageValue,

      build({ tf, input, state, name, seed }) {
        const [height, width, channels] = state.featureSpec.shape;
        return definition.build({
          tf,
          input:
            state.featureSpec.dtype === 'uint8' ? normalizeInput(tf, input, parsed.preprocess, name) : input,
          name,
          seed,
          options: parsed,
          imageShape: [height!, width!, channels!],
          seedFor: (label) => hashSeed(`${seed}:${label}`),
        });
      },
    };
    const augmentOptions = parsed.augment;
    if (augmentOptions && augmentsAnything(augmentOptions)) {
      // Only when asked for, so the trainer keeps no training features for an encoder that never augments.
      encoder.augment = (feature, _state, { rng }): Feature =>
        augmentImage(feature, augmentOptions, parsed.preprocess, rng);
    }
    return encoder;
  };

  const plugin: EncoderPluginV1<ImageRaw, ImageEncoderState> = {
    specificationVersion: 'v1',
    kind: 'encoder',
    id,
    modality: 'image',
    packageName: VISION_PACKAGE_NAME,
    description: definition.description,
    create,
  };
  return { plugin, create, parseOptions };
}

/**
 * uint8 features are 0–255 pixels: the first layer applies `normalize`, so the architecture sees
 * exactly the values a float32 feature holds.
 */
function normalizeInput(
  tf: typeof tfjs,
  input: tfjs.SymbolicTensor,
  preprocess: ImagePreprocessOptions,
  name: string,
): tfjs.SymbolicTensor {
  const { scale, offset } = pixelNormalization(preprocess);
  const { PixelNormalization } = visionLayers(tf);
  const layer = new PixelNormalization({
    name: `${name}/pixel_normalization`,
    scale: Array.from(scale),
    offset: Array.from(offset),
  });
  return layer.apply(input) as tfjs.SymbolicTensor;
}

/** Parses options with a schema; the first issue becomes an E_OPTIONS error naming plugin and path. */
export const parseImageEncoderOptions: <Options>(
  id: string,
  schema: z.ZodType<Options, unknown>,
  options: unknown,
) => Options = parseEncoderOptions;

/** Height and width of the feature preprocessing yields: the crop when there is one, else the size. */
export function featureImageSize(preprocess: ImagePreprocessOptions): { width: number; height: number } {
  return preprocess.crop ?? preprocess.size;
}

/** Whether augment options change anything at all (all-default options are a no-op). */
export function augmentsAnything(options: ImageAugmentOptions): boolean {
  const jitter = options.colorJitter;
  return (
    options.randomResizedCrop !== undefined ||
    options.horizontalFlip > 0 ||
    options.rotate > 0 ||
    (jitter !== undefined && (jitter.brightness > 0 || jitter.contrast > 0 || jitter.saturation > 0))
  );
}

/** Activations a conv block or dense layer may use (tfjs identifiers): core's list. */
export const activationSchema = layerActivationSchema;
export type Activation = LayerActivation;

function createPreprocessorFor(id: string, options: ImagePreprocessOptions) {
  try {
    return createImagePreprocessor(options);
  } catch (error) {
    if (!OmnifuseError.isInstance(error)) throw error;
    // Preprocessing options are ours too: name this plugin and the option's full path.
    throw new OmnifuseError({
      ...errorFields(error),
      code: ErrorCode.InvalidOptions,
      plugin: error.plugin ?? id,
      step: error.step ?? 'create',
      path: error.path ? `preprocess.${error.path}` : 'preprocess',
      cause: error,
    });
  }
}
