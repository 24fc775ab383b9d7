import { ErrorCode, type Feature, OmnifuseError, type Rng } from '@omnifuse/core';
import type { ImageAugmentOptions, ImagePreprocessOptions } from '../image-options.js';
import {
  backgroundFeature,
  LUMA_WEIGHTS,
  type PixelNormalization,
  pixelNormalization,
} from './pixel-normalization.js';

/**
 * Seeded train-time augmentation of a preprocessed image feature `[height, width, channels]`, in
 * this order: random resized crop, horizontal flip, rotation, colour jitter. A `uint8` feature holds
 * 0–255 pixels: the transforms compute in float and the result is rounded and clamped back to uint8
 * (as torchvision augments uint8 images); a `float32` feature is normalised as `preprocess` says and
 * stays float32. Every random draw comes from `rng`; the input is never modified and the output has
 * the same dtype and shape. When no transform fires, the input feature itself is returned.
 */
export function augmentImage(
  feature: Feature,
  augment: ImageAugmentOptions,
  preprocess: ImagePreprocessOptions,
  rng: Rng,
): Feature {
  const [h, w, c] = checkImageFeature(feature, preprocess.channels);
  const bytes = feature.dtype === 'uint8';
  // For bytes, the "normalisation" is the identity on 0–255, so one code path serves both dtypes.
  const norm = bytes ? bytesNormalization(preprocess.channels) : pixelNormalization(preprocess);
  const source = feature.data as Float32Array | Uint8Array;
  let data = source;
  /** A buffer this call owns (never the input), of the input's type, to transform in place. */
  const owned = () => (data === source ? source.slice() : data);
  /** A float buffer this call owns, to transform in place. */
  const ownedFloat = (): Float32Array => {
    if (!(data instanceof Float32Array)) return Float32Array.from(data);
    return data === source ? data.slice() : data;
  };

  if (augment.randomResizedCrop) {
    const box = randomCropBox(w, h, augment.randomResizedCrop.scale, augment.randomResizedCrop.ratio, rng);
    if (box.width !== w || box.height !== h) data = resizeRegion(data, w, h, c, box);
  }
  if (augment.horizontalFlip > 0 && rng.next() < augment.horizontalFlip) {
    data = owned();
    flipHorizontal(data, w, h, c);
  }
  if (augment.rotate > 0) {
    const degrees = (rng.next() * 2 - 1) * augment.rotate;
    if (degrees !== 0) {
      const fill = backgroundFeature(preprocess, norm);
      data = rotate(data, w, h, c, (degrees * Math.PI) / 180, fill);
    }
  }
  const jitter = augment.colorJitter;
  if (jitter && (jitter.brightness > 0 || jitter.contrast > 0 || jitter.saturation > 0)) {
    const factor = (amount: number) => (amount > 0 ? 1 + (rng.next() * 2 - 1) * amount : 1);
    const brightness = factor(jitter.brightness);
    const contrast = factor(jitter.contrast);
    const saturation = factor(jitter.saturation);
    if (brightness !== 1 || contrast !== 1 || (saturation !== 1 && c === 3)) {
      const floats = ownedFloat();
      colourJitter(floats, c, norm, brightness, contrast, saturation);
      data = floats;
    }
  }
  if (data === source) return feature;
  if (!bytes) return { dtype: 'float32', shape: [h, w, c], data };
  return { dtype: 'uint8', shape: [h, w, c], data: data instanceof Uint8Array ? data : roundToBytes(data) };
}

/** Identity on 0–255 values: unit = byte / 255, as {@link pixelNormalization} with `none` says. */
function bytesNormalization(channels: 1 | 3): PixelNormalization {
  return pixelNormalization({ channels, normalize: 'none' });
}

/** Floats rounded to the nearest integer (ties to even) and clamped to 0–255, natively. */
function roundToBytes(data: Float32Array): Uint8Array {
  const clamped = new Uint8ClampedArray(data);
  return new Uint8Array(clamped.buffer, clamped.byteOffset, clamped.length);
}

function checkImageFeature(feature: Feature, channels: number): [number, number, number] {
  const [h, w, c] = feature.shape;
  if (
    !(
      (feature.dtype === 'float32' && feature.data instanceof Float32Array) ||
      (feature.dtype === 'uint8' && feature.data instanceof Uint8Array)
    ) ||
    feature.shape.length !== 3 ||
    c !== channels ||
    feature.data.length !== h! * w! * c!
  ) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'augmentImage needs a uint8 or float32 [height, width, channels] image feature',
      expected: `uint8 or float32 [height, width, ${channels}]`,
      found: { dtype: feature.dtype, shape: feature.shape, length: feature.data?.length },
    });
  }
  return [h!, w!, c!];
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * torchvision's RandomResizedCrop box: up to 10 tries at an area fraction in `scale` and a log-
 * uniform aspect ratio in `ratio`; else the largest centred box whose ratio is within range.
 */
export function randomCropBox(
  w: number,
  h: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): Box {
  const area = w * h;
  const [sLo, sHi] = scale[0] <= scale[1] ? scale : [scale[1], scale[0]];
  const [rLo, rHi] = ratio[0] <= ratio[1] ? ratio : [ratio[1], ratio[0]];
  const logLo = Math.log(rLo);
  const logHi = Math.log(rHi);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (sLo + rng.next() * (sHi - sLo));
    const aspect = Math.exp(logLo + rng.next() * (logHi - logLo));
    const cw = Math.round(Math.sqrt(target * aspect));
    const ch = Math.round(Math.sqrt(target / aspect));
    if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
      return { left: rng.int(w - cw + 1), top: rng.int(h - ch + 1), width: cw, height: ch };
    }
  }
  const inRatio = w / h;
  let cw = w;
  let ch = h;
  if (inRatio < rLo) ch = Math.round(w / rLo);
  else if (inRatio > rHi) cw = Math.round(h * rHi);
  return { left: Math.floor((w - cw) / 2), top: Math.floor((h - ch) / 2), width: cw, height: ch };
}

/** Bilinear resample of `box` back to `w × h` (pixel centres aligned, edges clamped). */
function resizeRegion(
  src: Float32Array | Uint8Array,
  w: number,
  h: number,
  c: number,
  box: Box,
): Float32Array {
  const out = new Float32Array(src.length);
  const xs = samplePositions(box.left, box.width, w, w);
  const ys = samplePositions(box.top, box.height, h, h);
  let o = 0;
  for (let y = 0; y < h; y++) {
    const row0 = ys.i0[y]! * w;
    const row1 = ys.i1[y]! * w;
    const fy = ys.f[y]!;
    for (let x = 0; x < w; x++) {
      const a = (row0 + xs.i0[x]!) * c;
      const b = (row0 + xs.i1[x]!) * c;
      const d = (row1 + xs.i0[x]!) * c;
      const e = (row1 + xs.i1[x]!) * c;
      const fx = xs.f[x]!;
      for (let k = 0; k < c; k++) {
        const top = src[a + k]! + (src[b + k]! - src[a + k]!) * fx;
        const bottom = src[d + k]! + (src[e + k]! - src[d + k]!) * fx;
        out[o++] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
}

/** For each of `n` outputs over `[start, start + length)` of a line of `size`: neighbours and weight. */
function samplePositions(start: number, length: number, n: number, size: number) {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const f = new Float64Array(n);
  const step = length / n;
  for (let j = 0; j < n; j++) {
    const at = Math.min(Math.max(start + (j + 0.5) * step - 0.5, 0), size - 1);
    i0[j] = Math.floor(at);
    i1[j] = Math.min(i0[j]! + 1, size - 1);
    f[j] = at - i0[j]!;
  }
  return { i0, i1, f };
}

function flipHorizontal(data: Float32Array | Uint8Array, w: number, h: number, c: number): void {
  for (let y = 0; y < h; y++) {
    const row = y * w * c;
    for (let x = 0; x < w >> 1; x++) {
      const a = row + x * c;
      const b = row + (w - 1 - x) * c;
      for (let k = 0; k < c; k++) {
        const t = data[a + k]!;
        data[a + k] = data[b + k]!;
        data[b + k] = t;
      }
    }
  }
}

/**
 * Rotation by `angle` radians (anticlockwise as displayed, about the image centre), bilinear; the
 * corners it uncovers take `fill`, the background colour as a feature value (bytes for uint8).
 */
function rotate(
  src: Float32Array | Uint8Array,
  w: number,
  h: number,
  c: number,
  angle: number,
  fill: Float64Array,
): Float32Array {
  const out = new Float32Array(src.length);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  let o = 0;
  for (let y = 0; y < h; y++) {
    const dy = y - cy;
    for (let x = 0; x < w; x++) {
      const dx = x - cx;
      // Inverse map: the source point that lands on (x, y).
      const sx = cos * dx - sin * dy + cx;
      const sy = sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const in00 = x0 >= 0 && x0 < w && y0 >= 0 && y0 < h;
      const in10 = x0 + 1 >= 0 && x0 + 1 < w && y0 >= 0 && y0 < h;
      const in01 = x0 >= 0 && x0 < w && y0 + 1 >= 0 && y0 + 1 < h;
      const in11 = x0 + 1 >= 0 && x0 + 1 < w && y0 + 1 >= 0 && y0 + 1 < h;
      const p00 = (y0 * w + x0) * c;
      for (let k = 0; k < c; k++) {
        const v00 = in00 ? src[p00 + k]! : fill[k]!;
        const v10 = in10 ? src[p00 + c + k]! : fill[k]!;
        const v01 = in01 ? src[p00 + w * c + k]! : fill[k]!;
        const v11 = in11 ? src[p00 + w * c + c + k]! : fill[k]!;
        const top = v00 + (v10 - v00) * fx;
        const bottom = v01 + (v11 - v01) * fx;
        out[o++] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
}

/**
 * Brightness, contrast and saturation in unit space (0–1 pixels): de-normalise, scale by
 * `brightness`, blend with the image's mean grey by `contrast` and with each pixel's grey by
 * `saturation` (RGB only), clamping to 0–1 after each, as torchvision does; then re-normalise.
 */
function colourJitter(
  data: Float32Array,
  c: number,
  norm: PixelNormalization,
  brightness: number,
  contrast: number,
  saturation: number,
): void {
  const { mean, std } = norm;
  const pixels = data.length / c;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const [wr, wg, wb] = LUMA_WEIGHTS;
  // Pass 1: de-normalise and brighten in place; sum grey for contrast.
  let greySum = 0;
  for (let p = 0, i = 0; p < pixels; p++, i += c) {
    if (c === 3) {
      const r = clamp((data[i]! * std[0]! + mean[0]!) * brightness);
      const g = clamp((data[i + 1]! * std[1]! + mean[1]!) * brightness);
      const b = clamp((data[i + 2]! * std[2]! + mean[2]!) * brightness);
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      greySum += wr * r + wg * g + wb * b;
    } else {
      const v = clamp((data[i]! * std[0]! + mean[0]!) * brightness);
      data[i] = v;
      greySum += v;
    }
  }
  const meanGrey = greySum / pixels;
  // Pass 2: contrast, saturation, re-normalise.
  for (let p = 0, i = 0; p < pixels; p++, i += c) {
    if (c === 3) {
      let r = clamp(meanGrey + (data[i]! - meanGrey) * contrast);
      let g = clamp(meanGrey + (data[i + 1]! - meanGrey) * contrast);
      let b = clamp(meanGrey + (data[i + 2]! - meanGrey) * contrast);
      if (saturation !== 1) {
        const grey = wr * r + wg * g + wb * b;
        r = clamp(grey + (r - grey) * saturation);
        g = clamp(grey + (g - grey) * saturation);
        b = clamp(grey + (b - grey) * saturation);
      }
      data[i] = (r - mean[0]!) / std[0]!;
      data[i + 1] = (g - mean[1]!) / std[1]!;
      data[i + 2] = (b - mean[2]!) / std[2]!;
    } else {
      const v = clamp(meanGrey + (data[i]! - meanGrey) * contrast);
      data[i] = (v - mean[0]!) / std[0]!;
    }
  }
}
