import { applyFinalNorm, applyTransformerBlock, customLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { defineTextEncoder, textEncoderOptions } from './shared.js';

const ID = 'text:transformer';

export const textTransformerEncoderOptionsSchema = textEncoderOptions({
  /** Token embedding and model size. */
  dim: z.number().int().positive().default(64),
  /** Pre-norm encoder blocks (masked multi-head self-attention + feed-forward). */
  blocks: z.number().int().min(0).max(12).default(2),
  heads: z.number().int().positive().default(4),
  /** Hidden size of each block's feed-forward network. */
  ffDim: z.number().int().positive().default(128),
  /** Dropout on attention weights and residual branches while training. */
  dropout: z.number().min(0).max(0.9).default(0.1),
}).refine((o) => o.dim % o.heads === 0, { message: 'dim must be a multiple of heads', path: ['heads'] });

export type TextTransformerEncoderOptions = z.output<typeof textTransformerEncoderOptionsSchema>;
export type TextTransformerEncoderOptionsInput = z.input<typeof textTransformerEncoderOptionsSchema>;

const transformer = defineTextEncoder<TextTransformerEncoderOptions>({
  id: ID,
  version: '1.0.0',
  description:
    'Text → vocabulary ids (optional [CLS] first) → embeddings + learned positions → masked self-attention blocks → token sequence with its padding mask',
  schema: textTransformerEncoderOptionsSchema,
  build({ tf, name, options, maxLength, embedTokens, tokenMask, seedFor }) {
    const { dim } = options;
    const { PositionEmbedding } = customLayers(tf);
    const mask = tokenMask();
    let x = embedTokens({ dim }).output;
    x = new PositionEmbedding({
      seed: seedFor('position_embedding'),
      name: `${name}/position_embedding`,
    }).apply(x) as tfjs.SymbolicTensor;
    for (let i = 0; i < options.blocks; i++) {
      x = applyTransformerBlock(tf, x, mask, {
        numHeads: options.heads,
        keyDim: dim / options.heads,
        ffDim: options.ffDim,
        dropout: options.dropout,
        seed: seedFor(`block_${i}`),
        name: `${name}/block_${i}`,
      });
    }
    if (options.blocks > 0) x = applyFinalNorm(tf, x, `${name}/final_norm`);
    // With `vocabulary: { cls: true }` position 0 is [CLS], which a fusion can read as the summary.
    return { kind: 'sequence', output: x, mask, length: maxLength, dim };
  },
});

/** The `text:transformer` plugin. */
export const textTransformerEncoderPlugin = transformer.plugin;
/** Validates options and returns a configured `text:transformer` encoder. */
export const createTextTransformerEncoder = transformer.create;
