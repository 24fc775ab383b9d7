import {
  defineFusion,
  ErrorCode,
  type FusionPluginV1,
  fusionVectors,
  hashSeed,
  OmnifuseError,
} from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { tensorLayers } from './layers.js';
import { fillMissing, missingSchema, PACKAGE_NAME } from './shared.js';

const ID = 'fusion:tensor';

const ownOptionsSchema = z
  .object({
    /** Width every modality vector is projected to before the product; the output is `(dim + 1)^M`. */
    dim: z.number().int().positive().max(1024).default(8),
    /** Activation of the per-modality projections. */
    activation: z.enum(['tanh', 'relu', 'linear']).default('tanh'),
    missing: missingSchema,
    /** Largest output width `Π(dim + 1)` build accepts; wider is an `E_OPTIONS` error. */
    maxOutput: z.number().int().positive().default(20_000),
  })
  .strict();

const tensorFusion = defineFusion({
  id: ID,
  version: '1.0.0',
  packageName: PACKAGE_NAME,
  description:
    'Tensor Fusion Network (Zadeh et al. 2017): the flattened outer product of the projected modality vectors, each extended with a constant 1',
  schema: ownOptionsSchema,
  build({ tf, inputs, name, seed, presence }, parsed) {
    const dim = (parsed.dim + 1) ** inputs.length;
    if (dim > parsed.maxOutput) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `the tensor product of ${inputs.length} modalities of width ${parsed.dim} + 1 has ${dim} values, over maxOutput ${parsed.maxOutput}; lower dim, raise maxOutput, or use fusion:low-rank-tensor`,
        plugin: ID,
        step: 'build',
        path: 'dim',
        expected: `(dim + 1)^${inputs.length} <= ${parsed.maxOutput}`,
        found: dim,
      });
    }
    const { TensorFusion } = tensorLayers(tf);
    const projected = fusionVectors(tf, inputs, name).map(
      (vector, i) =>
        tf.layers
          .dense({
            units: parsed.dim,
            activation: parsed.activation,
            kernelInitializer: tf.initializers.glorotUniform({ seed: hashSeed(`${seed}:project_${i}`) }),
            name: `${name}/project_${i}`,
          })
          .apply(vector) as tfjs.SymbolicTensor,
    );
    // Missing is applied after the projection: its bias would otherwise make a zero vector non-zero.
    const filled = fillMissing(tf, projected, presence, { name, seed, missing: parsed.missing });
    const output = new TensorFusion({ name: `${name}/outer_product` }).apply(
      filled.length === 1 ? filled[0]! : filled,
    ) as tfjs.SymbolicTensor;
    return { output, dim };
  },
});

/** The options `createTensorFusion` takes (with `modalityDropout`, which `defineFusion` adds). */
export const tensorFusionOptionsSchema = tensorFusion.schema;
export type TensorFusionOptions = z.output<typeof tensorFusionOptionsSchema>;
export type TensorFusionOptionsInput = z.input<typeof tensorFusionOptionsSchema>;

/**
 * `fusion:tensor`: the Tensor Fusion Network's fusion layer (Zadeh et al. 2017). Each modality
 * vector (sequences mean-pooled) is projected to `dim`, extended with a constant 1, and the outer
 * product across modalities is flattened to `[b, (dim + 1)^M]`: every unimodal, bimodal, … term.
 * A missing modality's vector is zeros (`missing: 'zeros'`) or a learned embedding.
 */
export const createTensorFusion = tensorFusion.create;

export const tensorFusionPlugin: FusionPluginV1 = tensorFusion.plugin;
