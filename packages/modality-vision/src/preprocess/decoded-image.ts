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

/**
 * Checks decoded pixels before they are resized or normalised: positive integer dimensions, 1, 3
 * or 4 channels, a Uint8Array / Uint8ClampedArray (0–255) or Float32Array (finite, 0–1) holding
 * exactly `width × height × channels` values, and no more than `maxPixels` pixels.
 */
export function checkDecodedImage(value: DecodedImage, maxPixels: number, where: ImageWhere): DecodedImage {
  const { width, height, channels, data } = value;
  for (const [name, dim] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(dim) || dim <= 0) {
      throw imageInputError(where, `decoded image ${name} must be a positive integer`, {
        expected: 'a positive integer',
        found: dim,
      });
    }
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw imageInputError(where, 'decoded image must have 1 (grey), 3 (RGB) or 4 (RGBA) channels', {
      expected: '1, 3 or 4',
      found: channels,
    });
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Float32Array)) {
    throw imageInputError(
      where,
      'decoded image data must be a Uint8Array, Uint8ClampedArray (0–255) or Float32Array (0–1)',
      {
        expected: 'Uint8Array | Uint8ClampedArray | Float32Array',
        found: Array.isArray(data) ? 'array' : ((data as object | null)?.constructor?.name ?? typeof data),
      },
    );
  }
  if (width * height > maxPixels) {
    throw imageInputError(
      where,
      `image has ${width * height} pixels (${width}×${height}), more than maxPixels (${maxPixels})`,
      {
        expected: `at most ${maxPixels} pixels`,
        found: width * height,
      },
    );
  }
  const length = width * height * channels;
  if (data.length !== length) {
    throw imageInputError(
      where,
      `decoded image data has ${data.length} values, not width × height × channels`,
      {
        expected: `${length} (${width}×${height}×${channels})`,
        found: data.length,
      },
    );
  }
  if (data instanceof Float32Array) {
    for (let i = 0; i < length; i++) {
      const v = data[i]!;
      // `!(v >= 0 && v <= 1)` is also true for NaN.
      if (!(v >= 0 && v <= 1)) {
        throw imageInputError(
          where,
          `decoded image has ${Number.isFinite(v) ? 'a value outside 0–1' : 'a non-finite value'} at element ${i} (Float32Array pixels are 0–1; pass 0–255 values as a Uint8Array)`,
          { expected: 'finite values in [0, 1]', found: v },
        );
      }
    }
  }
  return value;
}

/** 0–1 floats as 0–255 bytes (rounded), for sharp, which resizes bytes. */
export function quantizeUnitPixels(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.round(data[i]! * 255);
  return out;
}
