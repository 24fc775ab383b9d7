import type * as tfjs from '@tensorflow/tfjs';
import { definePixelNormalization, type PixelNormalizationArgs } from './pixel-normalization.js';
import { definePositionEmbedding, type PositionEmbeddingArgs } from './position-embedding.js';

type Tf = typeof tfjs;

/** The custom layers of the vision encoders, bound to one tfjs namespace. */
export interface VisionLayers {
  /**
   * `[batch, length, dim]` → the same plus a learned `[length, dim]` embedding per position
   * (ViT's position embeddings); length and dim are fixed when the layer is built.
   */
  readonly PositionEmbedding: new (
    args: PositionEmbeddingArgs,
  ) => tfjs.layers.Layer;
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
    PositionEmbedding: definePositionEmbedding(tf),
    PixelNormalization: definePixelNormalization(tf),
  };
  for (const layer of Object.values(layers)) {
    tf.serialization.registerClass(layer as unknown as Parameters<Tf['serialization']['registerClass']>[0]);
  }
  cache.set(tf, layers);
  return layers;
}
