import {
  applyFinalNorm,
  applyTransformerBlock,
  customLayers,
  type DefinedFusionV1,
  defineFusion,
  type FusionPluginV1,
  hashSeed,
} from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import type { z } from 'zod';
import { applyCrossAttention } from './cross-attention.js';
import { transformerFusionLayers } from './layers.js';
import { transformerOwnOptionsSchema } from './options.js';
import { concatTokens, keyMask, modalityTokens } from './tokens.js';

type SymbolicTensor = tfjs.SymbolicTensor;

const ID = 'fusion:transformer';
const VERSION = '1.0.0';

const transformerFusion = defineFusion({
  id: ID,
  version: VERSION,
  packageName: '@omnifuse/fusion-transformer',
  description:
    'multimodal transformer: modality tokens + type embeddings, a learned [CLS], optional cross-modal attention, masked pre-norm self-attention blocks (absent modalities and padding never attended) → [CLS] state or masked mean',
  schema: transformerOwnOptionsSchema,
  build({ tf, inputs, name, seed, presence }, parsed) {
    const { dim, numHeads, ffDim, dropout } = parsed;
    const { ClsToken, FirstToken } = transformerFusionLayers(tf);
    const { MaskedMeanPooling } = customLayers(tf);
    const seedFor = (label: string) => hashSeed(`${seed}:${label}`);

    let modalities = modalityTokens(tf, inputs, presence.columns, {
      dim,
      positions: parsed.positions,
      name,
      seed,
    });
    if (parsed.crossAttention) {
      modalities = applyCrossAttention(tf, modalities, { numHeads, dropout, name, seed: seedFor('cross') });
    }

    const tokens = concatTokens(
      tf,
      modalities.map((m) => m.tokens),
      `${name}/tokens`,
    );
    let x = new ClsToken({ seed: seedFor('cls'), name: `${name}/cls` }).apply(tokens) as SymbolicTensor;
    // [CLS] is always real, so no example has every key masked.
    const mask = keyMask(tf, modalities, { cls: true, name: `${name}/key_mask` });
    for (let i = 0; i < parsed.layers; i++) {
      x = applyTransformerBlock(tf, x, mask, {
        numHeads,
        keyDim: dim / numHeads,
        ffDim,
        dropout,
        seed: seedFor(`block_${i}`),
        name: `${name}/block_${i}`,
      });
    }
    x = applyFinalNorm(tf, x, `${name}/final_norm`);
    const output =
      parsed.pooling === 'cls'
        ? (new FirstToken({ name: `${name}/cls_state` }).apply(x) as SymbolicTensor)
        : (new MaskedMeanPooling({ name: `${name}/mean` }).apply([x, mask]) as SymbolicTensor);
    return { output, dim };
  },
});

/** The options `createTransformerFusion` takes (with `modalityDropout`, which `defineFusion` adds). */
export const transformerFusionOptionsSchema = transformerFusion.schema;
export type TransformerFusionOptions = z.output<typeof transformerFusionOptionsSchema>;
export type TransformerFusionOptionsInput = z.input<typeof transformerFusionOptionsSchema>;

/**
 * Validates options and returns a configured `fusion:transformer`: every modality's tokens (a
 * vector is one token) projected to `dim`, plus a type embedding; a learned [CLS] first; optional
 * cross-modal attention; `layers` of core's masked pre-norm blocks over all of it, keys masked by
 * token masks × presence; the [CLS] state (or the masked mean) out. No fusion weights: see README.
 */
export const createTransformerFusion: (
  options?: TransformerFusionOptionsInput,
) => DefinedFusionV1<TransformerFusionOptions> = transformerFusion.create;

/** The `fusion:transformer` plugin. */
export const transformerFusionPlugin: FusionPluginV1 = transformerFusion.plugin;
