import color from '@img/colour';
import type { MediaRef } from '@omnifuse/core';
import { z } from 'zod';

/** Decoded pixels, channels-last, e.g. one image of an MNIST IDX file. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  readonly channels: number;
  /** `height × width × channels` values: 0–255 for integer arrays, 0–1 for Float32Array. */
  readonly data: Uint8Array | Uint8ClampedArray | Float32Array;
}

/** What a vision encoder accepts: a media reference (file or bytes, from the dataset) or decoded pixels. */
export type ImageRaw = MediaRef | DecodedImage;

const size = z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).strict();

/** ImageNet channel statistics (RGB, on pixels scaled to 0–1). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** True when sharp (which uses the same parser) understands `value` as a colour. */
function isColour(value: string): boolean {
  try {
    color(value);
    return true;
  } catch {
    return false;
  }
}

export const imagePreprocessSchema = z
  .object({
    /** Size images are resized to (before `crop`). */
    size: size.default({ width: 224, height: 224 }),
    /**
     * `fit`: stretch to the size; `cover`: keep aspect ratio and crop the overflow (centred);
     * `contain`: keep aspect ratio and pad with `background`.
     */
    resize: z.enum(['fit', 'cover', 'contain']).default('cover'),
    /** Centre crop after resizing (e.g. resize 256 → crop 224); the feature has this size. */
    crop: size.optional(),
    /** 1 = greyscale, 3 = RGB. */
    channels: z.union([z.literal(1), z.literal(3)]).default(3),
    /**
     * Colour that alpha is flattened onto, `contain` pads with and rotation fills with (a CSS colour
     * such as `#ffffff`, `black` or `rgb(0, 0, 0)`; its alpha is ignored).
     */
    background: z
      .string()
      .refine(isColour, { message: 'background must be a CSS colour, e.g. "#ffffff" or "black"' })
      .default('#ffffff'),
    /**
     * `unit`: pixels / 255; `imagenet`: unit then ImageNet mean/std (for greyscale, the mean of the
     * three means and of the three stds); `none`: 0–255; or explicit per-channel `mean`/`std` on
     * unit-scaled pixels (one value for every channel, or one per channel).
     */
    normalize: z
      .union([
        z.enum(['unit', 'imagenet', 'none']),
        z.object({ mean: z.array(z.number()).min(1), std: z.array(z.number().positive()).min(1) }).strict(),
      ])
      .default('unit'),
    /**
     * Element type of the feature. `uint8`: sharp's 0–255 pixels as they are (4× smaller in the
     * feature cache and in memory), and the encoders apply `normalize` in their first layer on the
     * accelerator; `float32`: pixels normalised here, in JavaScript (what a model outside tfjs, such
     * as the ONNX encoder's, takes).
     */
    output: z.enum(['uint8', 'float32']).default('uint8'),
    /** Refuse images with more pixels than this (decompression bombs). */
    maxPixels: z.number().int().positive().default(50_000_000),
  })
  .strict();

export const imageAugmentSchema = z
  .object({
    /** Random crop of a scale × aspect-ratio region, resized back to the feature size. */
    randomResizedCrop: z
      .object({
        scale: z.tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)]).default([0.8, 1]),
        ratio: z.tuple([z.number().positive(), z.number().positive()]).default([3 / 4, 4 / 3]),
      })
      .strict()
      .optional(),
    /** Probability of a horizontal flip (0 = never; off for digits and text). */
    horizontalFlip: z.number().min(0).max(1).default(0),
    /** Maximum rotation in degrees, drawn uniformly in ±rotate. */
    rotate: z.number().min(0).max(180).default(0),
    /** Maximum relative change of brightness, contrast and saturation. */
    colorJitter: z
      .object({
        brightness: z.number().min(0).max(1).default(0),
        contrast: z.number().min(0).max(1).default(0),
        saturation: z.number().min(0).max(1).default(0),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ImagePreprocessOptions = z.output<typeof imagePreprocessSchema>;
export type ImagePreprocessOptionsInput = z.input<typeof imagePreprocessSchema>;
export type ImageAugmentOptions = z.output<typeof imageAugmentSchema>;
export type ImageAugmentOptionsInput = z.input<typeof imageAugmentSchema>;
