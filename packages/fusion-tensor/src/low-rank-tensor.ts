import { defineFusion, type FusionPluginV1, fusionVectors, hashSeed } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { tensorLayers } from './layers.js';
import { fillMissing, missingSchema, PACKAGE_NAME } from './shared.js';

const ID = 'fusion:low-rank-tensor';

const ownOptionsSchema = z
  .object({
    /** Rank-one terms `r` of the decomposed fusion tensor. */
    rank: z.number().int().positive().max(256).default(4),
    /** Width of the output. */
    outputDim: z.number().int().positive().max(4096).default(32),
    missing: missingSchema,
  })
  .strict();

const lowRankTensorFusion = defineFusion({
  id: ID,
  version: '1.0.0',
  packageName: PACKAGE_NAME,
  description:
    'Low-rank Multimodal Fusion (Liu et al. 2018): the tensor fusion computed through rank-r modality-specific factors, Σ_i Π_m W_m^(i)·[x_m, 1]',
  schema: ownOptionsSchema,
  build({ tf, inputs, name, seed, presence }, parsed) {
    const { LowRankFusion } = tensorLayers(tf);
    const filled = fillMissing(tf, fusionVectors(tf, inputs, name), presence, {
      name,
      seed,
      missing: parsed.missing,
    });
    const output = new LowRankFusion({
      rank: parsed.rank,
      units: parsed.outputDim,
      seed: hashSeed(`${seed}:low_rank`),
      name: `${name}/low_rank`,
    }).apply(filled.length === 1 ? filled[0]! : filled) as tfjs.SymbolicTensor;
    return { output, dim: parsed.outputDim };
  },
});

/** The options `createLowRankTensorFusion` takes (with `modalityDropout`, which `defineFusion` adds). */
export const lowRankTensorFusionOptionsSchema = lowRankTensorFusion.schema;
export type LowRankTensorFusionOptions = z.output<typeof lowRankTensorFusionOptionsSchema>;
export type LowRankTensorFusionOptionsInput = z.input<typeof lowRankTensorFusionOptionsSchema>;

/**
 * `fusion:low-rank-tensor`: Low-rank Multimodal Fusion (Liu et al. 2018), the tensor fusion's
 * weights factored into rank-one terms so the `Π(d_m + 1)` product is never formed:
 * `Σ_i Π_m ([x_m, 1] · W_m^(i))` → `[b, outputDim]`, with `W_m^(i)` of shape `[d_m + 1, outputDim]`
 * on each modality vector as encoded (sequences mean-pooled). Missing modalities as in `fusion:tensor`.
 */
export const createLowRankTensorFusion = lowRankTensorFusion.create;

export const lowRankTensorFusionPlugin: FusionPluginV1 = lowRankTensorFusion.plugin;
