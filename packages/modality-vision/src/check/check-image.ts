import {
  type EncoderCheck,
  type EncoderCheckContext,
  type MediaRef,
  OmnifuseError,
  type ValueFinding,
} from '@omnifuse/core';
import type { ImageRaw } from '../image-options.js';
import { decodedImageProblem, looksLikeDecodedImage } from '../preprocess/decoded-image.js';
import { DECODED_IMAGE_FORMATS, sniffImageFormat } from '../preprocess/image-format.js';
import { isMediaRef } from '../preprocess/image-preprocessor.js';
import type { ImageProbe, ImageProblem } from '../probe/bytes.js';
import { probeImage } from '../probe/probe-image.js';
import { ImageFindingCode } from './image-findings.js';

/** Limits a vision encoder checks values against (from its `preprocess` options). */
export interface ImageCheckOptions {
  readonly maxPixels: number;
}

const error = (code: ImageFindingCode, reason: string): ValueFinding => ({ severity: 'error', code, reason });

/** Image formats by file extension and by media type, in {@link ImageProbe}'s names. */
const BY_EXTENSION: Record<string, string> = {
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  jfif: 'jpeg',
  gif: 'gif',
  webp: 'webp',
  bmp: 'bmp',
  dib: 'bmp',
  tif: 'tiff',
  tiff: 'tiff',
  avif: 'avif',
  heic: 'heif',
  heif: 'heif',
  svg: 'svg',
};

/** The image format a reference's name (or inline media type) promises, if it names one. */
function declaredFormat(ref: MediaRef): { format: string; by: string } | undefined {
  if (ref.kind === 'file') {
    const name = ref.relativePath || ref.path;
    const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
    const format = extension && BY_EXTENSION[extension];
    return format ? { format, by: `extension .${extension}` } : undefined;
  }
  const subtype = /^image\/([a-z0-9.+-]+)/i.exec(ref.mediaType ?? '')?.[1]?.toLowerCase();
  const format = subtype && BY_EXTENSION[subtype.replace(/\+xml$/, '')];
  return format ? { format, by: `media type ${ref.mediaType}` } : undefined;
}

const PROBLEM_CODE: Record<ImageProblem, ImageFindingCode> = {
  empty: ImageFindingCode.Unreadable,
  'unknown-format': ImageFindingCode.Unreadable,
  'unsupported-format': ImageFindingCode.UnsupportedFormat,
  truncated: ImageFindingCode.Truncated,
  corrupt: ImageFindingCode.Corrupt,
};

/** Why reading failed, in words that name no file contents. */
function readFailure(cause: unknown): string {
  if (OmnifuseError.isInstance(cause)) return cause.reason;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' ? 'image file not found' : `cannot read the image${code ? ` (${code})` : ''}`;
}

async function checkMedia(
  ref: MediaRef,
  options: ImageCheckOptions,
  context: EncoderCheckContext,
): Promise<ValueFinding[]> {
  let bytes: Uint8Array;
  try {
    bytes = await context.readMedia(ref);
  } catch (cause) {
    return [error(ImageFindingCode.Unreadable, readFailure(cause))];
  }
  const findings: ValueFinding[] = [];
  const sniffed = sniffImageFormat(bytes);
  const content = sniffed?.toLowerCase();
  const declared = declaredFormat(ref);
  if (declared && content && declared.format !== content) {
    findings.push({
      severity: 'warning',
      code: ImageFindingCode.ExtensionMismatch,
      reason: `the ${declared.by} names ${declared.format.toUpperCase()} but the bytes are ${sniffed}; it is decoded as ${sniffed}`,
    });
  }
  let probe: ImageProbe;
  try {
    probe = probeImage(bytes);
  } catch (cause) {
    if (!OmnifuseError.isInstance(cause)) throw cause;
    const problem = cause.details?.problem as ImageProblem;
    findings.push(error(PROBLEM_CODE[problem] ?? ImageFindingCode.Unreadable, cause.reason));
    return findings;
  }
  if (sniffed && !DECODED_IMAGE_FORMATS.includes(sniffed)) {
    findings.push(
      error(
        ImageFindingCode.UnsupportedFormat,
        `${sniffed} images are not decoded (convert them to PNG or JPEG)`,
      ),
    );
  }
  const pixels = probe.width * probe.height;
  if (pixels > options.maxPixels) {
    findings.push(
      error(
        ImageFindingCode.TooLarge,
        `image has ${pixels} pixels (${probe.width}×${probe.height}), more than maxPixels (${options.maxPixels})`,
      ),
    );
  }
  return findings;
}

function checkDecoded(raw: ImageRaw, options: ImageCheckOptions): ValueFinding[] {
  if (!looksLikeDecodedImage(raw)) {
    const found = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : `a ${typeof raw}`;
    return [
      error(
        ImageFindingCode.Unreadable,
        `expected an image file, image bytes or decoded pixels, found ${found}`,
      ),
    ];
  }
  const problem = decodedImageProblem(raw, options.maxPixels);
  if (!problem) return [];
  return [
    error(
      problem.kind === 'too-large' ? ImageFindingCode.TooLarge : ImageFindingCode.InvalidPixels,
      problem.message,
    ),
  ];
}

/**
 * Cheap checks of one image value, never decoding it: a media reference's header is probed
 * ({@link probeImage}) against the format list and `maxPixels`, and its name against its content;
 * decoded pixels get the dimension, length and range checks preprocessing applies. Never throws for
 * bad input: every problem is a finding.
 */
export async function checkImageValue(
  raw: ImageRaw,
  options: ImageCheckOptions,
  context: EncoderCheckContext,
): Promise<ValueFinding[]> {
  try {
    return isMediaRef(raw) ? await checkMedia(raw, options, context) : checkDecoded(raw, options);
  } catch (cause) {
    // A bug in a probe must not stop a data check over thousands of records: report it on the value.
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    return [error(ImageFindingCode.Unreadable, `cannot check the image (${reason})`)];
  }
}

/** The `check` hook of a vision encoder with these limits. */
export function imageValueCheck(options: ImageCheckOptions): EncoderCheck<ImageRaw> {
  return (raw, context) => checkImageValue(raw, options, context);
}
