import { z } from 'zod';

/** The transformer fusion's own options; `defineFusion` adds `modalityDropout` (see `transformerFusionOptionsSchema`). */
export const transformerOwnOptionsSchema = z
  .strictObject({
    /** Size every modality's tokens are projected to, and of the output. */
    dim: z.number().int().positive().default(64),
    /** Joint pre-norm blocks over [CLS] and every modality's tokens. */
    layers: z.number().int().min(1).max(12).default(2),
    numHeads: z.number().int().positive().default(4),
    /** Hidden size of each block's feed-forward network. */
    ffDim: z.number().int().positive().default(128),
    /** Dropout on attention weights and residual branches while training. */
    dropout: z.number().min(0).max(0.9).default(0.1),
    /** Learned positions on each sequence modality's tokens (encoders usually add their own). */
    positions: z.boolean().default(false),
    /** MulT-style cross-modal attention (each modality's tokens attend to the others') before the joint blocks. */
    crossAttention: z.boolean().default(false),
    /** `cls`: the final [CLS] state; `mean`: the masked mean of every real token ([CLS] included). */
    pooling: z.enum(['cls', 'mean']).default('cls'),
  })
  .refine((o) => o.dim % o.numHeads === 0, {
    message: 'dim must be a multiple of numHeads',
    path: ['numHeads'],
  });
