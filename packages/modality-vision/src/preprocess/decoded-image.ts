import type { DecodedImage } from '../image-options.js';
import { type ImageWhere, imageInputError } from './image-errors.js';

/** True for a value shaped like decoded pixels (`{ width, height, channels, data }`), valid or not. */
export function looksLikeDecodedImage(value: unknown): value is DecodedImage {
  return (
    typeof value === 'object' &&
    value !== null &&
    'width' in value &&
    'height' in value &&
    'channels' in value &&
    'data' in value
  );
}

/** One problem with decoded pixels: what {@link checkDecodedImage} throws and the `check` hook reports. */
export interface DecodedImageProblem {
  /** `too-large`: more pixels than `maxPixels`; `invalid`: anything else. */
  readonly kind: 'invalid' | 'too-large';
  readonly message: string;
  readonly expected: unknown;
  readonly found: unknown;
}

/**
 * The first problem of decoded pixels, or undefined: positive integer dimensions, 1, 3 or 4
 * channels, a Uint8Array / Uint8ClampedArray (0–255) or Float32Array (finite, 0–1) holding exactly
 * `width × height × channels` values, and no more than `maxPixels` pixels.
 */
export function decodedImageProblem(value: DecodedImage, maxPixels: number): DecodedImageProblem | undefined {
  const { width, height, channels, data } = value;
  const invalid = (message: string, expected: unknown, found: unknown): DecodedImageProblem => ({
    kind: 'invalid',
    message,
    expected,
    found,
  });
  for (const [name, dim] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(dim) || dim <= 0) {
      return invalid(`decoded image ${name} must be a positive integer`, 'a positive integer', dim);
    }
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    return invalid('decoded image must have 1 (grey), 3 (RGB) or 4 (RGBA) channels', '1, 3 or 4', channels);
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Float32Array)) {
    return invalid(
      'decoded image data must be a Uint8Array, Uint8ClampedArray (0–255) or Float32Array (0–1)',
      'Uint8Array | Uint8ClampedArray | Float32Array',
      Array.isArray(data) ? 'array' : ((data as object | null)?.constructor?.name ?? typeof data),
    );
  }
  if (width * height > maxPixels) {
    return {
      kind: 'too-large',
      message: `image has ${width * height} pixels (${width}×${height}), more than maxPixels (${maxPixels})`,
      expected: `at most ${maxPixels} pixels`,
      found: width * height,
    };
  }
  const length = width * height * channels;
  if (data.length !== length) {
    return invalid(
      `decoded image data has ${data.length} values, not width × height × channels`,
      `${length} (${width}×${height}×${channels})`,
      data.length,
    );
  }
  if (data instanceof Float32Array) {
    for (let i = 0; i < length; i++) {
      const v = data[i]!;
      // `!(v >= 0 && v <= 1)` is also true for NaN.
      if (!(v >= 0 && v <= 1)) {
        return invalid(
          `decoded image has ${Number.isFinite(v) ? 'a value outside 0–1' : 'a non-finite value'} at element ${i} (Float32Array pixels are 0–1; pass 0–255 values as a Uint8Array)`,
          'finite values in [0, 1]',
          v,
        );
      }
    }
  }
  return undefined;
}

/** Checks decoded pixels before they are resized or normalised (see {@link decodedImageProblem}). */
export function checkDecodedImage(value: DecodedImage, maxPixels: number, where: ImageWhere): DecodedImage {
  const problem = decodedImageProblem(value, maxPixels);
  if (problem) {
    throw imageInputError(where, problem.message, { expected: problem.expected, found: problem.found });
  }
  return value;
}

/** 0–1 floats as 0–255 bytes (rounded), for sharp, which resizes bytes. */
export function quantizeUnitPixels(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.round(data[i]! * 255);
  return out;
}
