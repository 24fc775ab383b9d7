import { defineFusion, type FusionPluginV1, fusionVectors, hashSeed } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { attentionLayers } from './layers.js';
import { concatenate, PACKAGE_NAME } from './shared.js';

const ID = 'fusion:attention';

const ownOptionsSchema = z
  .object({
    /** Width every modality vector is projected to; the output is `dim` (or `dim × (M + 1)`). */
    dim: z.number().int().positive().max(4096).default(64),
    /** Activation of the per-modality projections. */
    activation: z.enum(['tanh', 'linear']).default('tanh'),
    /**
     * Scorer: 0 scores a projected vector by its dot product with a learned query; `n > 0` puts a
     * `tanh` layer of `n` units in front of the query (Yang et al. 2016's attention MLP).
     */
    hidden: z.number().int().min(0).max(4096).default(0),
    /** `sum`: `Σ w_m v_m`; `sum+concat`: that, followed by every projected vector (zeros where absent). */
    output: z.enum(['sum', 'sum+concat']).default('sum'),
  })
  .strict();

const attentionFusion = defineFusion({
  id: ID,
  version: '1.0.0',
  packageName: PACKAGE_NAME,
  description:
    'Attention over modalities: per-modality projections, a shared learned scorer, a softmax over the present modalities, the weighted sum (per-example modality weights)',
  schema: ownOptionsSchema,
  build({ tf, inputs, name, seed, presence }, parsed) {
    const { MaskedModalitySoftmax, ModalityWeightedSum } = attentionLayers(tf);
    const seedFor = (what: string) => hashSeed(`${seed}:${what}`);
    const vectors = fusionVectors(tf, inputs, name);
    const projected = vectors.map(
      (vector, i) =>
        tf.layers
          .dense({
            units: parsed.dim,
            activation: parsed.activation,
            kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(`project_${i}`) }),
            name: `${name}/project_${i}`,
          })
          .apply(vector) as tfjs.SymbolicTensor,
    );
    // One scorer for every modality, so scores are comparable; no bias, which a softmax ignores.
    const scoreHidden =
      parsed.hidden > 0
        ? tf.layers.dense({
            units: parsed.hidden,
            activation: 'tanh',
            kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor('score_hidden') }),
            name: `${name}/score_hidden`,
          })
        : null;
    const query = tf.layers.dense({
      units: 1,
      useBias: false,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor('score') }),
      name: `${name}/score`,
    });
    const scores = projected.map(
      (v) => query.apply(scoreHidden ? scoreHidden.apply(v) : v) as tfjs.SymbolicTensor,
    );
    const weights = new MaskedModalitySoftmax({ name: `${name}/weights` }).apply([
      concatenate(tf, scores, `${name}/scores`),
      presence.stacked,
    ]) as tfjs.SymbolicTensor;
    const summed = new ModalityWeightedSum({ name: `${name}/weighted_sum` }).apply([
      weights,
      ...projected,
    ]) as tfjs.SymbolicTensor;
    if (parsed.output === 'sum') return { output: summed, dim: parsed.dim, weights };
    // A projection's bias makes an absent modality's vector non-zero, so mask it out.
    const masked = projected.map(
      (v, i) =>
        tf.layers
          .multiply({ name: `${name}/project_${i}_masked` })
          .apply([v, presence.columns[i]!]) as tfjs.SymbolicTensor,
    );
    const output = concatenate(tf, [summed, ...masked], `${name}/concat`);
    return { output, dim: parsed.dim * (inputs.length + 1), weights };
  },
});

/** The options `createAttentionFusion` takes (with `modalityDropout`, which `defineFusion` adds). */
export const attentionFusionOptionsSchema = attentionFusion.schema;
export type AttentionFusionOptions = z.output<typeof attentionFusionOptionsSchema>;
export type AttentionFusionOptionsInput = z.input<typeof attentionFusionOptionsSchema>;

/**
 * `fusion:attention`: each modality vector (sequences mean-pooled over their mask) projected to
 * `dim`, scored by one scorer shared across modalities, softmaxed over the present modalities, and
 * summed with those weights. `weights` are the attention weights, `[b, M]` in inputs order: 0 for an
 * absent modality; an example with no modality present gets all-zero weights and a zero output.
 */
export const createAttentionFusion = attentionFusion.create;

export const attentionFusionPlugin: FusionPluginV1 = attentionFusion.plugin;
