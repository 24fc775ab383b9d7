import type { Rng } from '@omnifuse/core';

/**
 * SpecAugment masking (Park et al. 2019), in place on a row-major `[frames, dims]` spectrogram:
 * `count` times, a width w uniform in [0, maxWidth] (at most the axis length) and a start uniform
 * in [0, length - w], and those whole frames (`time`) or dims (`frequency`) are set to `fill`.
 */
export function applyMasks(
  data: Float32Array,
  frames: number,
  dims: number,
  axis: 'time' | 'frequency',
  mask: { count: number; maxWidth: number },
  fill: number,
  rng: Rng,
): void {
  const length = axis === 'time' ? frames : dims;
  for (let m = 0; m < mask.count; m++) {
    const width = Math.min(rng.int(mask.maxWidth + 1), length);
    const start = rng.int(length - width + 1);
    if (axis === 'time') {
      data.fill(fill, start * dims, (start + width) * dims);
    } else {
      for (let t = 0; t < frames; t++) data.fill(fill, t * dims + start, t * dims + start + width);
    }
  }
}
