import {
  asPluginError,
  type EncoderPluginV1,
  ErrorCode,
  type Feature,
  OmnifuseError,
  projectionOptionsSchema,
} from '@omnifuse/core';
import {
  createOnnxFeatureExtractor,
  defineOnnxEncoder,
  describeImageInput,
  modelValueName,
  type OnnxEncoderStateBase,
  type OnnxFeatureExtractor,
  type OnnxModel,
} from '@omnifuse/onnx';
import { z } from 'zod';
import { imageValueCheck } from '../check/check-image.js';
import { measureImageValue } from '../check/measure-image.js';
import { type ImagePreprocessOptions, type ImageRaw, imagePreprocessSchema } from '../image-options.js';
import {
  createImagePreprocessor,
  IMAGE_PREPROCESSOR_VERSION,
  type ImagePreprocessor,
  parseImagePreprocessOptions,
} from '../preprocess/index.js';
import { VISION_PACKAGE_NAME } from './shared.js';

const ID = 'vision:onnx';

/**
 * The shared image preprocessing, except that size and channels default to the model's input
 * (when the model fixes them) and pixels are ImageNet-normalised unless told otherwise, as
 * pretrained CNNs expect. The model takes normalised float32 pixels, so there is no `output` option:
 * the preprocessing inside this encoder is always float32 (its feature is the model's embedding).
 */
const onnxPreprocessSchema = imagePreprocessSchema.omit({ output: true }).extend({
  size: imagePreprocessSchema.shape.size.unwrap().optional(),
  channels: imagePreprocessSchema.shape.channels.unwrap().optional(),
  normalize: imagePreprocessSchema.shape.normalize.unwrap().default('imagenet'),
});

const projectionHead = projectionOptionsSchema().shape;

export const onnxEncoderOptionsSchema = z
  .object({
    /** Path of the `.onnx` file; a relative path resolves against the process's working directory. */
    model: z.string().min(1),
    /** Image input name; default the model's first input. */
    input: z.string().min(1).optional(),
    /** Output used as the feature (e.g. the pooled embedding); default the model's first output. */
    output: z.string().min(1).optional(),
    /** Layout of the model's image input; `auto` reads it from the input's declared shape. */
    layout: z.enum(['auto', 'NCHW', 'NHWC']).default('auto'),
    preprocess: onnxPreprocessSchema.prefault({}),
    /** Units of a trainable dense layer on the frozen features; null passes them through. */
    projection: projectionHead.units.nullable().default(null),
    /** Activation of the projection. */
    activation: projectionHead.activation,
    /** Dropout on the frozen features, before the projection (training only). */
    dropout: projectionHead.dropout,
  })
  .strict();

export type OnnxEncoderOptions = z.output<typeof onnxEncoderOptionsSchema>;
export type OnnxEncoderOptionsInput = z.input<typeof onnxEncoderOptionsSchema>;

/** What `fit` pins (plain JSON, hashed into the feature-cache key and stored in bundles). */
export interface OnnxEncoderState extends OnnxEncoderStateBase {
  readonly input: string;
  readonly output: string;
  readonly layout: 'NCHW' | 'NHWC';
  /** Preprocessing with size and channels resolved against the model's input. */
  readonly preprocess: ImagePreprocessOptions;
  readonly outputDim: number;
}

/**
 * A pretrained image model exported to ONNX (MobileNet, ResNet, …), run frozen with
 * onnxruntime-node while preprocessing, so its features land in the feature cache and training
 * only fits the layers on top. There is no `augment`: augmenting would have to rerun the network
 * on every epoch, which is what caching the frozen features avoids.
 */
const onnxEncoder = defineOnnxEncoder<ImageRaw, OnnxEncoderOptions, OnnxEncoderState, Feature>({
  id: ID,
  modality: 'image',
  packageName: VISION_PACKAGE_NAME,
  description:
    'Images → a frozen pretrained ONNX model (onnxruntime-node, features cached) → optional dense projection → vector',
  // Part of the cache key; the preprocessor's version too, so its changes invalidate features.
  version: `1.0.0+preprocess.${IMAGE_PREPROCESSOR_VERSION}`,
  schema: onnxEncoderOptionsSchema,

  instance(parsed) {
    checkPreprocess(parsed.preprocess);
    const extractors = new Map<string, Promise<OnnxFeatureExtractor>>();
    const preprocessors = new Map<string, ImagePreprocessor>();

    const extractorFor = (loaded: OnnxModel, state: ExtractorState): Promise<OnnxFeatureExtractor> => {
      const { width, height } = state.preprocess.crop ?? state.preprocess.size;
      const { channels } = state.preprocess;
      const key = [loaded.sha256, state.input, state.output, state.layout, height, width, channels].join(
        '\n',
      );
      let extractor = extractors.get(key);
      if (!extractor) {
        extractor = createOnnxFeatureExtractor({
          model: loaded,
          input: state.input,
          output: state.output,
          layout: state.layout,
          imageShape: [height, width, channels],
        });
        extractor.catch(() => extractors.delete(key));
        extractors.set(key, extractor);
      }
      return extractor;
    };

    const preprocessorFor = (options: ImagePreprocessOptions): ImagePreprocessor => {
      const key = JSON.stringify(options);
      let preprocessor = preprocessors.get(key);
      if (!preprocessor) {
        // float32 even for a state saved before `output` existed, whose parse would default to uint8.
        preprocessor = createImagePreprocessor({ ...options, output: 'float32' });
        preprocessors.set(key, preprocessor);
      }
      return preprocessor;
    };

    return {
      // Nothing is learned from the data: fit settles the preprocessing against the model's input
      // and measures the feature size.
      async fit(loaded) {
        // A wrong name is an E_OPTIONS error at that option, before the input's shape is read.
        modelValueName(loaded, 'input', parsed.input);
        const output = modelValueName(loaded, 'output', parsed.output);
        const image = describeImageInput(loaded, { input: parsed.input, layout: parsed.layout });
        const preprocess = resolvePreprocess(parsed.preprocess, image.imageShape);
        const state: ExtractorState = { input: image.input, output, layout: image.layout, preprocess };
        const extractor = await extractorFor(loaded, state);
        return { ...state, outputDim: extractor.outputDim };
      },

      prepare: (raw, state, context) => preprocessorFor(state.preprocess).preprocess(raw, context),

      // One image per run: a feature must not depend on which records happen to share a batch.
      async run(loaded, image, state) {
        const extractor = await extractorFor(loaded, state);
        const [height, width, channels] = image.shape as [number, number, number];
        return extractor.extract(image.data as Float32Array, 1, [height, width, channels]);
      },

      featureShape: (state) => [state.outputDim],

      // The same header-only checks as every vision encoder (see defineImageEncoder).
      check: imageValueCheck({ maxPixels: parsed.preprocess.maxPixels }),
      measure: measureImageValue,

      head: { units: parsed.projection, activation: parsed.activation, dropout: parsed.dropout },
    };
  },
});

type ExtractorState = Pick<OnnxEncoderState, 'input' | 'output' | 'layout' | 'preprocess'>;

export const createOnnxEncoder = onnxEncoder.create;
export const onnxEncoderPlugin: EncoderPluginV1<ImageRaw, OnnxEncoderState> = onnxEncoder.plugin;

/** Catches invalid preprocessing options at create, before the model's input fills in the size. */
function checkPreprocess(options: OnnxEncoderOptions['preprocess']): void {
  try {
    parseImagePreprocessOptions({
      ...options,
      size: options.size ?? options.crop,
      channels: options.channels ?? 3,
    });
  } catch (error) {
    // Greyscale models take one normalisation value per channel; the channel count is not known yet.
    if (
      options.channels === undefined &&
      OmnifuseError.isInstance(error) &&
      error.path?.startsWith('normalize.')
    ) {
      return;
    }
    throw preprocessOptionError(error, 'create');
  }
}

/**
 * The preprocessing the model gets: size and channels from the options, else from the model's
 * fixed input, else 224×224 RGB; a size or channel count the model cannot take is an E_OPTIONS error.
 */
function resolvePreprocess(
  options: OnnxEncoderOptions['preprocess'],
  [height, width, channels]: readonly [number | null, number | null, number | null],
): ImagePreprocessOptions {
  const mismatch = (option: string, expected: unknown, found: unknown) =>
    new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `preprocess.${option} does not fit the model's input`,
      path: `preprocess.${option}`,
      expected,
      found,
    });
  const modelSize = height !== null && width !== null ? { width, height } : undefined;
  const size = options.size ?? options.crop ?? modelSize ?? { width: 224, height: 224 };
  const out = options.crop ?? size;
  if ((height !== null && out.height !== height) || (width !== null && out.width !== width)) {
    throw mismatch(
      options.crop ? 'crop' : 'size',
      `${width ?? 'any'}×${height ?? 'any'}`,
      `${out.width}×${out.height}`,
    );
  }
  const resolvedChannels = options.channels ?? channels ?? 3;
  if (resolvedChannels !== 1 && resolvedChannels !== 3) {
    throw mismatch('channels', '1 or 3 (the model takes another channel count)', resolvedChannels);
  }
  if (channels !== null && resolvedChannels !== channels)
    throw mismatch('channels', channels, resolvedChannels);
  try {
    return parseImagePreprocessOptions({ ...options, size, channels: resolvedChannels, output: 'float32' });
  } catch (error) {
    throw preprocessOptionError(error, 'fit');
  }
}

function preprocessOptionError(error: unknown, step: string): OmnifuseError {
  if (!OmnifuseError.isInstance(error)) return asPluginError(error, { plugin: ID, step });
  return asPluginError(error, {
    plugin: ID,
    code: ErrorCode.InvalidOptions,
    step,
    path: error.path ? `preprocess.${error.path}` : 'preprocess',
  });
}
