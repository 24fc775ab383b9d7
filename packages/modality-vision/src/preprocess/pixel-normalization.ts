import color from '@img/colour';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { IMAGENET_MEAN, IMAGENET_STD, type ImagePreprocessOptions } from '../image-options.js';

/**
 * How pixels become feature values, per output channel: `feature = (unit − mean) / std` on pixels
 * scaled to 0–1, i.e. `feature = byte × scale + offset` on 0–255 bytes.
 */
export interface PixelNormalization {
  readonly channels: 1 | 3;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly scale: Float64Array;
  readonly offset: Float64Array;
}

/** Rec. 709 luminance weights of linear R, G, B. */
export const LUMA_WEIGHTS = [0.2126, 0.7152, 0.0722] as const;

const toLinear = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
const fromLinear = (v: number) => (v <= 0.0031308 ? v * 12.92 : 1.055 * v ** (1 / 2.4) - 0.055);

/**
 * The grey level (0–255) of an sRGB colour as sharp's `greyscale()` computes it: libvips takes the
 * luminance of the linearised colour and re-encodes it with the sRGB curve, so pure red is 127, not
 * the 54 of the plain weighted sum.
 */
export function greyOfRgb(r: number, g: number, b: number): number {
  const y =
    LUMA_WEIGHTS[0] * toLinear(r / 255) +
    LUMA_WEIGHTS[1] * toLinear(g / 255) +
    LUMA_WEIGHTS[2] * toLinear(b / 255);
  return Math.round(255 * fromLinear(Math.min(1, Math.max(0, y))));
}

const average = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * The normalisation `options.normalize` asks for. For greyscale with `imagenet`, the single channel
 * uses the mean of ImageNet's three means (0.449) and of its three stds (0.226): a grey pixel is
 * then normalised like the average of an RGB pixel of the same value.
 */
export function pixelNormalization(
  options: Pick<ImagePreprocessOptions, 'normalize' | 'channels'>,
): PixelNormalization {
  const c = options.channels;
  const { normalize } = options;
  let mean: readonly number[];
  let std: readonly number[];
  if (normalize === 'none' || normalize === 'unit') {
    mean = [0];
    std = [normalize === 'none' ? 1 / 255 : 1];
  } else if (normalize === 'imagenet') {
    mean = c === 3 ? IMAGENET_MEAN : [average(IMAGENET_MEAN)];
    std = c === 3 ? IMAGENET_STD : [average(IMAGENET_STD)];
  } else {
    mean = normalize.mean;
    std = normalize.std;
    for (const [name, values] of [
      ['mean', mean],
      ['std', std],
    ] as const) {
      if (values.length !== 1 && values.length !== c) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidOptions,
          message: `normalize.${name} needs one value or one per channel`,
          path: `normalize.${name}`,
          expected: c === 1 ? '1 value' : `1 or ${c} values`,
          found: values.length,
        });
      }
    }
  }
  const at = (values: readonly number[], k: number) => (values.length === 1 ? values[0]! : values[k]!);
  const norm = {
    channels: c,
    mean: Float64Array.from({ length: c }, (_, k) => at(mean, k)),
    std: Float64Array.from({ length: c }, (_, k) => at(std, k)),
    scale: new Float64Array(c),
    offset: new Float64Array(c),
  };
  for (let k = 0; k < c; k++) {
    // `none` is exactly the bytes; computing 1 / (255 × (1/255)) could be off by an ulp.
    norm.scale[k] = normalize === 'none' ? 1 : 1 / (255 * norm.std[k]!);
    norm.offset[k] = normalize === 'none' ? 0 : -norm.mean[k]! / norm.std[k]!;
  }
  return norm;
}

/** The background colour as 0–255 sRGB (alpha dropped). */
export function backgroundRgb(background: string): { r: number; g: number; b: number } {
  const [r, g, b] = color(background).rgb().array() as number[];
  return { r: r!, g: g!, b: b! };
}

/** The background colour as feature values, one per channel (grey as sharp makes it), for fills. */
export function backgroundFeature(
  options: Pick<ImagePreprocessOptions, 'background' | 'channels'>,
  norm: PixelNormalization,
): Float64Array {
  const { r, g, b } = backgroundRgb(options.background);
  const bytes = options.channels === 3 ? [r, g, b] : [greyOfRgb(r, g, b)];
  return Float64Array.from(bytes, (v, k) => v * norm.scale[k]! + norm.offset[k]!);
}

/** A rectangle of a channels-last pixel buffer. */
export interface PixelRegion {
  readonly data: Uint8Array | Uint8ClampedArray | Float32Array;
  /** Row length of `data` in pixels. */
  readonly width: number;
  readonly channels: number;
  readonly left: number;
  readonly top: number;
  readonly regionWidth: number;
  readonly regionHeight: number;
}

/**
 * Normalises a region of 0–255 bytes (or of 0–1 floats, `unitInput`) into a new channels-last
 * float32 array with `norm.channels` channels. Grey sources are copied to every output channel;
 * extra source channels (alpha) are ignored. One pass, no allocation besides the output.
 */
export function normalizePixels(
  region: PixelRegion,
  norm: PixelNormalization,
  unitInput = false,
): Float32Array {
  const { data, width, channels: sc, left, top, regionWidth: w, regionHeight: h } = region;
  const c = norm.channels;
  const out = new Float32Array(w * h * c);
  const k = unitInput ? 255 : 1;
  const s0 = norm.scale[0]! * k;
  const o0 = norm.offset[0]!;
  let o = 0;
  if (c === 3) {
    const s1 = norm.scale[1]! * k;
    const s2 = norm.scale[2]! * k;
    const o1 = norm.offset[1]!;
    const o2 = norm.offset[2]!;
    for (let y = 0; y < h; y++) {
      let i = ((top + y) * width + left) * sc;
      if (sc < 3) {
        // Grey (or grey + alpha): the one value goes to every channel.
        for (let x = 0; x < w; x++, i += sc) {
          const v = data[i]!;
          out[o++] = v * s0 + o0;
          out[o++] = v * s1 + o1;
          out[o++] = v * s2 + o2;
        }
      } else {
        for (let x = 0; x < w; x++, i += sc) {
          out[o++] = data[i]! * s0 + o0;
          out[o++] = data[i + 1]! * s1 + o1;
          out[o++] = data[i + 2]! * s2 + o2;
        }
      }
    }
  } else {
    for (let y = 0; y < h; y++) {
      let i = ((top + y) * width + left) * sc;
      for (let x = 0; x < w; x++, i += sc) out[o++] = data[i]! * s0 + o0;
    }
  }
  return out;
}

/**
 * Copies a region of 0–255 bytes into a new channels-last Uint8Array with `channels` channels, the
 * uint8 counterpart of {@link normalizePixels}: grey sources go to every channel, alpha is dropped,
 * and a one-channel output takes the first source channel (sharp converts colour to grey before).
 */
export function copyPixels(
  region: PixelRegion & { readonly data: Uint8Array | Uint8ClampedArray },
  channels: 1 | 3,
): Uint8Array {
  const { data, width, channels: sc, left, top, regionWidth: w, regionHeight: h } = region;
  const out = new Uint8Array(w * h * channels);
  if (sc === channels) {
    // Whole rows at once: one memcpy per row (or one for the whole image when nothing is cropped).
    if (left === 0 && w === width) {
      out.set(data.subarray(top * width * sc, (top + h) * width * sc));
    } else {
      for (let y = 0; y < h; y++) {
        const start = ((top + y) * width + left) * sc;
        out.set(data.subarray(start, start + w * sc), y * w * sc);
      }
    }
    return out;
  }
  let o = 0;
  for (let y = 0; y < h; y++) {
    let i = ((top + y) * width + left) * sc;
    for (let x = 0; x < w; x++, i += sc) {
      if (channels === 1) {
        out[o++] = data[i]!;
      } else if (sc < 3) {
        const v = data[i]!;
        out[o++] = v;
        out[o++] = v;
        out[o++] = v;
      } else {
        out[o++] = data[i]!;
        out[o++] = data[i + 1]!;
        out[o++] = data[i + 2]!;
      }
    }
  }
  return out;
}
