import {
  customLayers,
  defineFusion,
  ErrorCode,
  type FusionPluginV1,
  fusionVectors,
  hashSeed,
  layerActivationSchema,
  OmnifuseError,
} from '@omnifuse/core';
import type { SymbolicTensor } from '@tensorflow/tfjs';
import { z } from 'zod';
import { lateFusionLayers } from './late-fusion-weights.js';

export const LATE_FUSION_ID = 'fusion:late';
const PACKAGE_NAME = '@omnifuse/fusion-late';

const ownOptionsSchema = z
  .strictObject({
    /** Hidden dense layers of each modality's head. */
    hidden: z.array(z.number().int().positive()).default([]),
    /** Activation of the hidden layers (and of the stacking layer). */
    activation: layerActivationSchema.default('relu'),
    /** Width of each modality's linear decision vector. */
    decisionDim: z.number().int().positive().default(32),
    combine: z.enum(['mean', 'weighted', 'learned', 'stacking']).default('mean'),
    /** Fixed non-negative weights, one per input in spec order, for `combine: 'weighted'`. */
    weights: z.array(z.number().nonnegative()).min(1).optional(),
    /** Units of the dense layer over the concatenated decisions, for `combine: 'stacking'`. */
    stackingUnits: z.number().int().positive().default(32),
  })
  .superRefine((options, ctx) => {
    if (options.combine === 'weighted' && !options.weights) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: 'combine "weighted" needs weights' });
    }
    if (options.combine !== 'weighted' && options.weights) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: 'weights are only for combine "weighted"' });
    }
    if (options.weights && !options.weights.some((w) => w > 0)) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: 'at least one weight must be positive' });
    }
  });
const lateFusion = defineFusion({
  id: LATE_FUSION_ID,
  version: '1.0.0',
  packageName: PACKAGE_NAME,
  description:
    'decision-level fusion: a head per modality, combined by a mean over present modalities (equal, fixed or learned weights) or by stacking',
  schema: ownOptionsSchema,
  build({ tf, inputs, name, seed, presence }, parsed) {
    if (parsed.weights && parsed.weights.length !== inputs.length) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: `weights has ${parsed.weights.length} entries for ${inputs.length} inputs`,
        plugin: LATE_FUSION_ID,
        step: 'build',
        path: 'fusion.options.weights',
        expected: inputs.map((input) => input.name),
        found: parsed.weights,
      });
    }
    const dense = (x: SymbolicTensor, units: number, activation: string, label: string) =>
      tf.layers
        .dense({
          units,
          activation: activation as 'linear',
          kernelInitializer: tf.initializers.glorotUniform({ seed: hashSeed(`${seed}:${label}`) }),
          name: `${name}/${label}`,
        })
        .apply(x) as SymbolicTensor;
    const decisions = fusionVectors(tf, inputs, name).map((vector, i) => {
      let x = vector;
      for (const [k, units] of parsed.hidden.entries())
        x = dense(x, units, parsed.activation, `head_${i}_hidden_${k}`);
      return dense(x, parsed.decisionDim, 'linear', `head_${i}_decision`);
    });
    const sum = (parts: SymbolicTensor[], label: string) =>
      parts.length === 1
        ? parts[0]!
        : (tf.layers.add({ name: `${name}/${label}` }).apply(parts) as SymbolicTensor);

    if (parsed.combine === 'stacking') {
      const gated = decisions.map(
        (d, i) =>
          tf.layers
            .multiply({ name: `${name}/gate_${i}` })
            .apply([d, presence.columns[i]!]) as SymbolicTensor,
      );
      const stacked =
        gated.length === 1
          ? gated[0]!
          : (tf.layers.concatenate({ axis: -1, name: `${name}/stack` }).apply(gated) as SymbolicTensor);
      return {
        output: dense(stacked, parsed.stackingUnits, parsed.activation, 'stacking'),
        dim: parsed.stackingUnits,
      };
    }

    const { LateFusionWeights } = lateFusionLayers(tf);
    const weights = new LateFusionWeights({
      mode: parsed.combine,
      weights: parsed.weights ?? null,
      name: `${name}/weights`,
    }).apply(presence.stacked) as SymbolicTensor;
    const { PresenceColumn } = customLayers(tf);
    const weighted = decisions.map((d, i) => {
      const column = new PresenceColumn({ index: i, name: `${name}/weight_${i}` }).apply(
        weights,
      ) as SymbolicTensor;
      return tf.layers.multiply({ name: `${name}/weighted_${i}` }).apply([d, column]) as SymbolicTensor;
    });
    return { output: sum(weighted, 'combine'), dim: parsed.decisionDim, weights };
  },
});

/** The options `createLateFusion` takes (with `modalityDropout`, which `defineFusion` adds). */
export const lateFusionOptionsSchema = lateFusion.schema;
export type LateFusionOptions = z.output<typeof lateFusionOptionsSchema>;
export type LateFusionOptionsInput = z.input<typeof lateFusionOptionsSchema>;

/**
 * Decision-level fusion: a head per modality (hidden dense layers, then a linear `decisionDim`
 * decision), combined by a per-example weighted mean over the present modalities (`mean`,
 * `weighted`, `learned`; the weights are returned) or by a dense layer over the concatenated,
 * presence-gated decisions (`stacking`). Core's task head on top is linear, so the weighted
 * combinations are combinations of the modalities' logits.
 */
export const createLateFusion = lateFusion.create;

export const lateFusionPlugin: FusionPluginV1 = lateFusion.plugin;
