import { type EncoderMeasure, ErrorCode, type MediaMeasure, OmnifuseError } from '@omnifuse/core';
import type { ImageRaw } from '../image-options.js';
import { decodedImageProblem, looksLikeDecodedImage } from '../preprocess/decoded-image.js';
import { isMediaRef } from '../preprocess/image-preprocessor.js';
import { probeImage } from '../probe/probe-image.js';

/**
 * The pixel size of one image value, never decoding it: a media reference's size is read from its
 * header ({@link probeImage}, pure TypeScript, no sharp), so a decompression bomb's claimed size is
 * known before anything is allocated for it; decoded pixels give their own. Throws `E_INPUT` for an
 * image it cannot read (no known signature, a cut or corrupt header).
 */
export const measureImageValue: EncoderMeasure<ImageRaw> = async (raw, context): Promise<MediaMeasure> => {
  if (isMediaRef(raw)) {
    const { width, height } = probeImage(await context.readMedia(raw));
    return { width, height, source: 'header' };
  }
  const problem = looksLikeDecodedImage(raw)
    ? decodedImageProblem(raw, Number.POSITIVE_INFINITY)
    : {
        message: 'expected an image file, image bytes or decoded pixels',
        expected: 'MediaRef | DecodedImage',
      };
  if (problem) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: problem.message,
      expected: problem.expected,
      found: raw === null ? 'null' : typeof raw,
    });
  }
  const { width, height } = raw as { width: number; height: number };
  return { width, height, source: 'decoded' };
};
