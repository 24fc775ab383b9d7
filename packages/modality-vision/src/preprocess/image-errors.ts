import { ErrorCode, OmnifuseError, type OmnifuseErrorFields } from '@omnifuse/core';
import sharp from 'sharp';
import { describeBytes } from './describe-bytes.js';
import { DECODED_IMAGE_FORMATS, type ImageFormat } from './image-format.js';

/** Where an image comes from, for errors: the record, the field and (for files) the path. */
export interface ImageWhere {
  readonly record: string | number;
  readonly field: string;
  readonly file?: string;
}

/** An `E_INPUT` error about one image, naming the record, field and file. */
export function imageInputError(
  where: ImageWhere,
  message: string,
  extra: Omit<Partial<OmnifuseErrorFields>, 'code' | 'message'> = {},
): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message,
    record: where.record,
    field: where.field,
    file: where.file,
    ...extra,
  });
}

/** Refuses, before decoding, bytes that are empty or not one of the decoded formats. */
export function checkEncodedImage(
  bytes: Uint8Array,
  format: ImageFormat | undefined,
  where: ImageWhere,
): void {
  if (bytes.length === 0) throw imageInputError(where, 'empty file: the image has 0 bytes');
  if (format === undefined) {
    throw imageInputError(
      where,
      'unsupported image format: the bytes are not a JPEG, PNG, WebP, GIF, TIFF or AVIF image',
      {
        expected: DECODED_IMAGE_FORMATS.join(', '),
        found: describeBytes(bytes),
      },
    );
  }
  if (!DECODED_IMAGE_FORMATS.includes(format)) {
    throw imageInputError(where, `unsupported image format: ${format} (convert it to PNG or JPEG)`, {
      expected: DECODED_IMAGE_FORMATS.join(', '),
      found: format,
    });
  }
}

/** sharp's message, first line only (libvips repeats itself on the following lines). */
function decoderMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}

/**
 * Turns a sharp failure while decoding `bytes` into an `E_INPUT` error in words: the pixel limit
 * (with the image's real pixel count, read from its header) or a truncated or corrupt file.
 */
export async function decodeError(
  error: unknown,
  bytes: Uint8Array,
  format: ImageFormat,
  maxPixels: number,
  where: ImageWhere,
): Promise<OmnifuseError> {
  const decoder = decoderMessage(error);
  if (/pixel limit/i.test(decoder)) {
    const size = await sharp(bytes, { limitInputPixels: false })
      .metadata()
      .then(({ width, height }) => (width && height ? { width, height } : undefined))
      .catch(() => undefined);
    const pixels = size ? size.width * size.height : undefined;
    return imageInputError(
      where,
      size
        ? `image has ${pixels} pixels (${size.width}×${size.height}), more than maxPixels (${maxPixels})`
        : `image has more pixels than maxPixels (${maxPixels})`,
      { expected: `at most ${maxPixels} pixels`, found: pixels, details: { decoder }, cause: error },
    );
  }
  const hint =
    format === 'HEIF' ? ', or coded with HEVC, which this sharp build cannot decode (AVIF it can)' : '';
  return imageInputError(where, `truncated or corrupt ${format}${hint}`, {
    details: { format, decoder },
    cause: error,
  });
}
