import type { Rng } from '@omnifuse/core';

/** Share of images degraded, and how hard; tuned so images alone land well below MNIST's ~99%. */
export const IMAGE_DEGRADATION = {
  fraction: 0.35,
  /** Side of the occluding rectangle, in pixels (of 28). */
  occluderSide: [9, 17],
  /** Standard deviation of the additive Gaussian noise, in grey levels. */
  noiseSigma: [60, 130],
} as const;

export type ImageDegradation = 'none' | 'occlusion' | 'noise' | 'occlusion+noise';

/**
 * A copy of a grey image, left alone or (for a seeded share) covered by a rectangle (black, erasing
 * ink, or white, adding a blot) over part of the strokes, and/or drowned in noise.
 */
export function degradeDigitImage(
  pixels: Uint8Array,
  width: number,
  height: number,
  rng: Rng,
): { pixels: Uint8Array; degradation: ImageDegradation } {
  const out = pixels.slice();
  if (rng.next() >= IMAGE_DEGRADATION.fraction) return { pixels: out, degradation: 'none' };
  const r = rng.next();
  const occlude = r < 0.65;
  const noise = r >= 0.45;
  if (occlude) {
    const [low, high] = IMAGE_DEGRADATION.occluderSide;
    const w = low + rng.int(high - low + 1);
    const h = low + rng.int(high - low + 1);
    // Centre the rectangle on a random stroke pixel, so it always hides or blots part of the digit.
    const ink = inkPixels(pixels);
    const at = ink.length > 0 ? ink[rng.int(ink.length)]! : (height >> 1) * width + (width >> 1);
    const cx = at % width;
    const cy = Math.floor(at / width);
    const x0 = Math.max(0, Math.min(width - w, cx - (w >> 1)));
    const y0 = Math.max(0, Math.min(height - h, cy - (h >> 1)));
    const fill = rng.next() < 0.7 ? 0 : 255;
    for (let y = y0; y < y0 + h; y++) out.fill(fill, y * width + x0, y * width + x0 + w);
  }
  if (noise) {
    const [low, high] = IMAGE_DEGRADATION.noiseSigma;
    const sigma = low + (high - low) * rng.next();
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.max(0, Math.min(255, Math.round(out[i]! + sigma * rng.normal())));
    }
  }
  return { pixels: out, degradation: occlude && noise ? 'occlusion+noise' : occlude ? 'occlusion' : 'noise' };
}

function inkPixels(pixels: Uint8Array): number[] {
  const ink: number[] = [];
  pixels.forEach((v, i) => {
    if (v > 127) ink.push(i);
  });
  return ink;
}
