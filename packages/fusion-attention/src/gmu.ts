import { defineFusion, type FusionPluginV1, fusionVectors, hashSeed } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { attentionLayers } from './layers.js';
import { concatenate, PACKAGE_NAME } from './shared.js';

const ID = 'fusion:gmu';

const ownOptionsSchema = z
  .object({
    /** Width of every modality's hidden vector `h_m` and of the output. */
    dim: z.number().int().positive().max(4096).default(64),
  })
  .strict();

const gmuFusion = defineFusion({
  id: ID,
  version: '1.0.0',
  packageName: PACKAGE_NAME,
  description:
    'Gated Multimodal Unit (Arevalo et al. 2017) for M modalities: tanh hidden vectors mixed by per-dimension softmax gates over the present modalities',
  schema: ownOptionsSchema,
  build({ tf, inputs, name, seed, presence }, parsed) {
    const { MaskedModalitySoftmax, ModalityWeightedSum } = attentionLayers(tf);
    const seedFor = (what: string) => hashSeed(`${seed}:${what}`);
    const m = inputs.length;
    const vectors = fusionVectors(tf, inputs, name);
    const hidden = vectors.map(
      (vector, i) =>
        tf.layers
          .dense({
            units: parsed.dim,
            activation: 'tanh',
            kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(`hidden_${i}`) }),
            name: `${name}/hidden_${i}`,
          })
          .apply(vector) as tfjs.SymbolicTensor,
    );
    // An absent modality's values must not steer the gates of the present ones.
    const gateInputs = vectors.map(
      (vector, i) =>
        tf.layers
          .multiply({ name: `${name}/gate_input_${i}` })
          .apply([vector, presence.columns[i]!]) as tfjs.SymbolicTensor,
    );
    const logits = tf.layers
      .dense({
        units: m * parsed.dim,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor('gate') }),
        name: `${name}/gate`,
      })
      .apply(concatenate(tf, gateInputs, `${name}/gate_concat`)) as tfjs.SymbolicTensor;
    const gates = new MaskedModalitySoftmax({ name: `${name}/gates` }).apply([
      tf.layers
        .reshape({ targetShape: [m, parsed.dim], name: `${name}/gate_reshape` })
        .apply(logits) as tfjs.SymbolicTensor,
      presence.stacked,
    ]) as tfjs.SymbolicTensor;
    const output = new ModalityWeightedSum({ name: `${name}/gated_sum` }).apply([
      gates,
      ...hidden,
    ]) as tfjs.SymbolicTensor;
    // [b, M, dim] → [b, dim, M] → mean over dim: each modality's mean gate.
    const weights = tf.layers
      .globalAveragePooling1d({ name: `${name}/weights` })
      .apply(
        tf.layers.permute({ dims: [2, 1], name: `${name}/gate_permute` }).apply(gates),
      ) as tfjs.SymbolicTensor;
    return { output, dim: parsed.dim, weights };
  },
});

/** The options `createGmuFusion` takes (with `modalityDropout`, which `defineFusion` adds). */
export const gmuFusionOptionsSchema = gmuFusion.schema;
export type GmuFusionOptions = z.output<typeof gmuFusionOptionsSchema>;
export type GmuFusionOptionsInput = z.input<typeof gmuFusionOptionsSchema>;

/**
 * `fusion:gmu`: the Gated Multimodal Unit (Arevalo et al. 2017) for M modalities. `h_m = tanh(W_m x_m)`;
 * per-dimension gates `z = softmax over modalities of W_z [x_1 … x_M]` (absent modalities get gate 0
 * and contribute zeros to the gate input); output `Σ_m z_m ⊙ h_m`. With two modalities this is the
 * paper's sigmoid gate `z h_1 + (1 − z) h_2`. `weights` are each modality's mean gate over the `dim`
 * dimensions, so rows sum to 1; an example with nothing present gets zero gates and a zero output.
 */
export const createGmuFusion = gmuFusion.create;

export const gmuFusionPlugin: FusionPluginV1 = gmuFusion.plugin;
