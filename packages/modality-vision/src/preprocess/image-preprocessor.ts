import {
  type EncoderPreprocessContext,
  ErrorCode,
  type Feature,
  type FeatureSpec,
  formatPath,
  type MediaRef,
  OmnifuseError,
} from '@omnifuse/core';
import sharp, { type OutputInfo, type Sharp } from 'sharp';
import {
  type DecodedImage,
  type ImagePreprocessOptions,
  type ImagePreprocessOptionsInput,
  type ImageRaw,
  imagePreprocessSchema,
} from '../image-options.js';
import { checkDecodedImage, looksLikeDecodedImage, quantizeUnitPixels } from './decoded-image.js';
import { checkEncodedImage, decodeError, type ImageWhere, imageInputError } from './image-errors.js';
import { sniffImageFormat } from './image-format.js';
import {
  backgroundRgb,
  copyPixels,
  greyOfRgb,
  normalizePixels,
  type PixelNormalization,
  pixelNormalization,
} from './pixel-normalization.js';

/**
 * Version of what {@link createImagePreprocessor} computes; encoders fold it into their own
 * `version` so that feature-cache entries made by an older preprocessor are not reused.
 */
export const IMAGE_PREPROCESSOR_VERSION = '2';

/**
 * Decodes, orients, resizes and crops images into channels-last features: 0–255 uint8 pixels
 * (`output: 'uint8'`, the default; `normalize` is then the encoder's first layer) or pixels
 * normalised as `normalize` says (`output: 'float32'`).
 */
export interface ImagePreprocessor {
  /** Validated options with defaults filled in. */
  readonly options: ImagePreprocessOptions;
  /** `[height, width, channels]` of `options.output`, with the size of `crop` when set, else of `size`. */
  featureSpec(): FeatureSpec;
  /** One image (file, bytes or decoded pixels) → one feature; bad input → `E_INPUT` naming it. */
  preprocess(raw: ImageRaw, context: EncoderPreprocessContext): Promise<Feature>;
}

const SHARP_FIT = { fit: 'fill', cover: 'cover', contain: 'contain' } as const;

/**
 * Why `failOn: 'error'`: it rejects truncated files and decoder errors (sharp's `'none'` would
 * return a half-grey JPEG), yet accepts files with mere warnings (an odd ICC profile, stray bytes
 * after the end marker), which are common in real datasets and which the default `'warning'` refuses.
 */
const FAIL_ON = 'error';

/** A preprocessor for `options` (validated; an invalid option throws `E_OPTIONS`). */
export function createImagePreprocessor(
  options: ImagePreprocessOptionsInput | ImagePreprocessOptions = {},
): ImagePreprocessor {
  const parsed = parseImagePreprocessOptions(options);
  const norm = pixelNormalization(parsed);
  const background = backgroundRgb(parsed.background);
  // sharp pads a greyscale image with the plain weighted sum of the colour, whereas it converts
  // pixels gamma-correctly; padding with the converted grey keeps padding, flattened transparency
  // and rotation fill (augmentImage) the same value.
  const grey = greyOfRgb(background.r, background.g, background.b);
  const padding = parsed.channels === 1 ? { r: grey, g: grey, b: grey } : background;
  const out = parsed.crop ?? parsed.size;
  const crop = {
    left: Math.floor((parsed.size.width - out.width) / 2),
    top: Math.floor((parsed.size.height - out.height) / 2),
    width: out.width,
    height: out.height,
  };
  // A fresh shape array for every spec and feature, so no caller can change another's.
  const shape = (): number[] => [out.height, out.width, parsed.channels];

  /** The sharp steps after decoding, shared by encoded files and decoded pixels. */
  const toFeaturePixels = (image: Sharp): Sharp => {
    image.flatten({ background }).resize(parsed.size.width, parsed.size.height, {
      fit: SHARP_FIT[parsed.resize],
      position: 'centre',
      background: padding,
    });
    if (parsed.crop) image.extract(crop);
    return (parsed.channels === 1 ? image.greyscale() : image.toColourspace('srgb')).raw({ depth: 'uchar' });
  };

  const fromSharpOutput = (data: Buffer, info: OutputInfo, where: ImageWhere): Feature => {
    if (info.width !== out.width || info.height !== out.height) {
      // sharp always honours resize + extract; this guards against a future change of behaviour.
      throw imageInputError(where, 'image resized to an unexpected size', {
        expected: [out.width, out.height],
        found: [info.width, info.height],
      });
    }
    const whole = {
      data,
      width: info.width,
      channels: info.channels,
      left: 0,
      top: 0,
      regionWidth: out.width,
      regionHeight: out.height,
    };
    if (parsed.output === 'float32')
      return { dtype: 'float32', shape: shape(), data: normalizePixels(whole, norm) };
    const pixels =
      info.channels === parsed.channels
        ? ownBytes(data, out.width * out.height * parsed.channels)
        : undefined;
    return { dtype: 'uint8', shape: shape(), data: pixels ?? copyPixels(whole, parsed.channels) };
  };

  const fromBytes = async (bytes: Uint8Array, where: ImageWhere): Promise<Feature> => {
    const format = sniffImageFormat(bytes);
    checkEncodedImage(bytes, format, where);
    let result: { data: Buffer; info: OutputInfo };
    try {
      const image = sharp(bytes, { failOn: FAIL_ON, limitInputPixels: parsed.maxPixels, autoOrient: true });
      result = await toFeaturePixels(image).toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw await decodeError(error, bytes, format!, parsed.maxPixels, where);
    }
    return fromSharpOutput(result.data, result.info, where);
  };

  const fromPixels = async (image: DecodedImage, where: ImageWhere): Promise<Feature> => {
    checkDecodedImage(image, parsed.maxPixels, where);
    const { width, height, channels, data } = image;
    const sameSize = width === parsed.size.width && height === parsed.size.height;
    const bytes = () => (data instanceof Float32Array ? quantizeUnitPixels(data) : data);
    if (sameSize && (channels === parsed.channels || channels === 1)) {
      // Nothing for sharp to do: crop (and normalise) straight from the caller's pixels, copying them
      // so that no feature shares memory with the caller.
      const region = { width, channels, ...cropRegion(crop) };
      if (parsed.output === 'uint8') {
        return {
          dtype: 'uint8',
          shape: shape(),
          data: copyPixels({ ...region, data: bytes() }, parsed.channels),
        };
      }
      const pixels = normalizePixels({ ...region, data }, norm, data instanceof Float32Array);
      return { dtype: 'float32', shape: shape(), data: pixels };
    }
    let result: { data: Buffer; info: OutputInfo };
    try {
      const input = sharp(bytes(), {
        raw: { width, height, channels: channels as 1 | 3 | 4 },
        limitInputPixels: parsed.maxPixels,
      });
      result = await toFeaturePixels(input).toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw imageInputError(where, 'cannot resize the decoded pixels', {
        details: { decoder: error instanceof Error ? error.message.split('\n')[0] : String(error) },
        cause: error,
      });
    }
    return fromSharpOutput(result.data, result.info, where);
  };

  return {
    options: parsed,
    featureSpec: () => ({ dtype: parsed.output, shape: shape() }),
    async preprocess(raw, context) {
      const where: ImageWhere = { record: context.record, field: context.field };
      if (isMediaRef(raw)) {
        const located = { ...where, file: raw.kind === 'file' ? raw.path : undefined };
        return fromBytes(await readImageBytes(raw, context, located), located);
      }
      if (looksLikeDecodedImage(raw)) return fromPixels(raw, where);
      throw imageInputError(where, 'expected an image file, image bytes or decoded pixels', {
        expected: "a media reference ({kind: 'file' | 'inline'}) or { width, height, channels, data }",
        found: raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw,
      });
    },
  };
}

/** Validates preprocessing options (the schema plus the checks across fields) or throws `E_OPTIONS`. */
export function parseImagePreprocessOptions(options: unknown): ImagePreprocessOptions {
  const result = imagePreprocessSchema.safeParse(options ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `invalid image preprocessing options: ${issue.message}`,
      path: formatPath(issue.path),
      details: { issues: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) },
    });
  }
  const parsed = result.data;
  if (parsed.crop && (parsed.crop.width > parsed.size.width || parsed.crop.height > parsed.size.height)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'invalid image preprocessing options: crop must fit inside size',
      path: 'crop',
      expected: `at most ${parsed.size.width}×${parsed.size.height}`,
      found: `${parsed.crop.width}×${parsed.crop.height}`,
    });
  }
  pixelNormalization(parsed) satisfies PixelNormalization; // throws on a mean/std of the wrong length
  return parsed;
}

/**
 * sharp's output as a Uint8Array of `length` bytes. sharp hands each output its own memory, which
 * the feature then takes over without a copy; a Buffer that is a slice of a shared pool (or longer
 * than the pixels) is copied, so a feature never holds or exposes memory it does not own.
 */
function ownBytes(data: Buffer, length: number): Uint8Array | undefined {
  if (data.length !== length) return undefined;
  if (data.byteOffset === 0 && data.buffer.byteLength === length)
    return new Uint8Array(data.buffer, 0, length);
  return new Uint8Array(data);
}

function cropRegion(crop: { left: number; top: number; width: number; height: number }) {
  return { left: crop.left, top: crop.top, regionWidth: crop.width, regionHeight: crop.height };
}

/** A file or inline-bytes media reference, as the dataset hands it over. */
export function isMediaRef(value: unknown): value is MediaRef {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as { kind?: unknown; path?: unknown; bytes?: unknown };
  return (
    (ref.kind === 'file' && typeof ref.path === 'string') ||
    (ref.kind === 'inline' && ref.bytes instanceof Uint8Array)
  );
}

/**
 * Reads a media reference through the context, so that every failure is an `E_INPUT` naming the
 * record, field and file, whatever reader the caller passed.
 */
async function readImageBytes(
  ref: MediaRef,
  context: EncoderPreprocessContext,
  where: ImageWhere,
): Promise<Uint8Array> {
  try {
    return await context.readMedia(ref);
  } catch (error) {
    if (OmnifuseError.isInstance(error)) throw error.withContext(where);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const reason =
      code === 'ENOENT'
        ? 'image file not found'
        : code === 'EISDIR'
          ? 'image path is a folder'
          : `cannot read image file (${error instanceof Error ? error.message : String(error)})`;
    throw imageInputError(where, reason, { cause: error });
  }
}
