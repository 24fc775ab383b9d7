import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type { DecodedImage } from '../image-options.js';
import type { IdxSource, IdxTensor } from './parse-idx.js';

/**
 * The images of a `uint8` IDX tensor `[n, rows, cols]` (grey) or `[n, rows, cols, channels]`
 * (1, 3 or 4 channels) as decoded images whose `data` are views into the tensor (no copy).
 */
export function idxImages(idx: IdxTensor, source: IdxSource = {}): DecodedImage[] {
  const [n, height, width, channels = 1] = idx.dims;
  const shapeOk =
    (idx.dims.length === 3 || (idx.dims.length === 4 && [1, 3, 4].includes(channels))) &&
    height! > 0 &&
    width! > 0;
  if (idx.dtype !== 'uint8' || !shapeOk) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'IDX images must be a uint8 tensor [images, rows, cols] or [images, rows, cols, 1 | 3 | 4]',
      file: source.file,
      expected: 'uint8 [n, rows, cols]',
      found: `${idx.dtype} [${idx.dims.join(', ')}]`,
    });
  }
  const data = idx.data as Uint8Array;
  const size = height! * width! * channels;
  return Array.from({ length: n! }, (_, i) => ({
    width: width!,
    height: height!,
    channels,
    data: data.subarray(i * size, (i + 1) * size),
  }));
}

/** The values of a one-dimensional integer IDX tensor (e.g. MNIST labels) as numbers. */
export function idxLabels(idx: IdxTensor, source: IdxSource = {}): number[] {
  if (idx.dims.length !== 1 || idx.dtype === 'float32' || idx.dtype === 'float64') {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'IDX labels must be a one-dimensional integer tensor',
      file: source.file,
      expected: 'uint8 | int8 | int16 | int32 [n]',
      found: `${idx.dtype} [${idx.dims.join(', ')}]`,
    });
  }
  return Array.from(idx.data as ArrayLike<number>);
}
