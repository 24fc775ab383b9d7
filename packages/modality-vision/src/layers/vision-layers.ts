import { type CustomLayerClass, defineLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { definePixelNormalization, type PixelNormalizationArgs } from './pixel-normalization.js';

type Tf = typeof tfjs;

/** The custom layers of the vision encoders, bound to one tfjs namespace. */
export interface VisionLayers {
  /** `x × scale_c + offset_c` per channel (last axis), constants only: 0–255 pixels → normalised. */
  readonly PixelNormalization: CustomLayerClass<[args: PixelNormalizationArgs]>;
}

/**
 * The vision custom layer classes for a tfjs namespace, defined and registered for serialization
 * once per namespace (the namespace comes from the build context, so this package holds no tfjs).
 */
export const visionLayers: (tf: Tf) => VisionLayers = defineLayers((tf) => ({
  PixelNormalization: definePixelNormalization(tf),
}));
