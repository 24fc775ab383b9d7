import {
  customLayers,
  defineFusion,
  type FusionPluginV1,
  fusionVectors,
  hashSeed,
  layerActivationSchema,
} from '@omnifuse/core';
import type { SymbolicTensor } from '@tensorflow/tfjs';
import { z } from 'zod';

export const CONCAT_FUSION_ID = 'fusion:concat';
const PACKAGE_NAME = '@omnifuse/fusion-concat';

const ownOptionsSchema = z.strictObject({
  /** Project every modality's vector to this many units first (a dense layer each); null keeps sizes. */
  projection: z.number().int().positive().nullable().default(null),
  /** Layer-normalise each modality's (projected) vector, so no modality dominates by scale. */
  layerNorm: z.boolean().default(false),
  /** Activation after the projection (and layer norm). */
  activation: layerActivationSchema.default('linear'),
  /** What a missing modality contributes: `zeros`, or a learned `embedding` per modality. */
  missing: z.enum(['zeros', 'embedding']).default('zeros'),
});

const concatFusion = defineFusion({
  id: CONCAT_FUSION_ID,
  version: '1.0.0',
  packageName: PACKAGE_NAME,
  description:
    'early fusion: modality vectors (optionally projected, layer-normalised) gated by presence and concatenated',
  schema: ownOptionsSchema,
  build({ tf, inputs, name, seed, presence }, parsed) {
    const vectors = fusionVectors(tf, inputs, name);
    const { columns } = presence;
    const { MissingEmbedding } = customLayers(tf);
    const parts = vectors.map((vector, i) => {
      let x = vector;
      if (parsed.projection !== null) {
        x = tf.layers
          .dense({
            units: parsed.projection,
            kernelInitializer: tf.initializers.glorotUniform({ seed: hashSeed(`${seed}:projection_${i}`) }),
            name: `${name}/projection_${i}`,
          })
          .apply(x) as SymbolicTensor;
      }
      if (parsed.layerNorm) {
        x = tf.layers.layerNormalization({ name: `${name}/layer_norm_${i}` }).apply(x) as SymbolicTensor;
      }
      if (parsed.activation !== 'linear') {
        x = tf.layers
          .activation({ activation: parsed.activation, name: `${name}/activation_${i}` })
          .apply(x) as SymbolicTensor;
      }
      // Gated last, so a missing modality adds exactly zeros (or exactly its stand-in), whatever its values.
      return parsed.missing === 'embedding'
        ? (new MissingEmbedding({
            seed: hashSeed(`${seed}:missing_${i}`),
            name: `${name}/missing_${i}`,
          }).apply([x, columns[i]!]) as SymbolicTensor)
        : (tf.layers.multiply({ name: `${name}/presence_${i}` }).apply([x, columns[i]!]) as SymbolicTensor);
    });
    const output =
      parts.length === 1
        ? parts[0]!
        : (tf.layers.concatenate({ axis: -1, name: `${name}/concat` }).apply(parts) as SymbolicTensor);
    const dim =
      parsed.projection === null
        ? inputs.reduce((sum, input) => sum + input.encoded.dim, 0)
        : parsed.projection * inputs.length;
    return { output, dim };
  },
});

/** The options `createConcatFusion` takes (with `modalityDropout`, which `defineFusion` adds). */
export const concatFusionOptionsSchema = concatFusion.schema;
export type ConcatFusionOptions = z.output<typeof concatFusionOptionsSchema>;
export type ConcatFusionOptionsInput = z.input<typeof concatFusionOptionsSchema>;

/**
 * Early fusion: each modality as a vector (sequences mean-pooled over their mask), optionally
 * projected to a common size, layer-normalised and activated, then gated by its presence (zeros, or
 * a learned stand-in, where missing) and concatenated to `[b, Σ d_m]` (or `[b, M × projection]`).
 */
export const createConcatFusion = concatFusion.create;

export const concatFusionPlugin: FusionPluginV1 = concatFusion.plugin;
