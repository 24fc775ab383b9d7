import type * as tfjs from '@tensorflow/tfjs';
import { definePixelNormalization, type PixelNormalizationArgs } from './pixel-normalization.js';

type Tf = typeof tfjs;

/** The custom layers of the vision encoders, bound to one tfjs namespace. */
export interface VisionLayers {
  /** `x × scale_c + offset_c` per channel (last axis), constants only: 0–255 pixels → normalised. */
  readonly PixelNormalization: new (
    args: PixelNormalizationArgs,
  ) => tfjs.layers.Layer;
}

const cache = new WeakMap<object, VisionLayers>();

/**
 * The vision custom layer classes for a tfjs namespace, defined and registered for serialization
 * once per namespace (the namespace comes from the build context, so this package holds no tfjs).
 */
export function visionLayers(tf: Tf): VisionLayers {
  const known = cache.get(tf);
  if (known) return known;
  const layers: VisionLayers = {
    PixelNormalization: definePixelNormalization(tf),
  };
  for (const layer of Object.values(layers)) {
    tf.serialization.registerClass(layer as unknown as Parameters<Tf['serialization']['registerClass']>[0]);
  }
  cache.set(tf, layers);
  return layers;
}
