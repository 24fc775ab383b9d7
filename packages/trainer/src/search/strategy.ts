import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';

export const searchStrategySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('grid') }).strict(),
  z
    .object({
      type: z.literal('random'),
      trials: z.number().int().positive().default(10),
      seed: z.number().int().default(42),
    })
    .strict(),
  z
    .object({
      type: z.literal('halving'),
      /** Configurations sampled (seeded) for the first rung. */
      trials: z.number().int().positive().default(9),
      minEpochs: z.number().int().positive().default(1),
      eta: z.number().int().min(2).default(3),
      /** Default: the spec's `training.epochs`. */
      maxEpochs: z.number().int().positive().optional(),
      seed: z.number().int().default(42),
    })
    .strict(),
]);
export type SearchStrategy = z.output<typeof searchStrategySchema>;
export type SearchStrategyInput = z.input<typeof searchStrategySchema>;

/** Validates a strategy (default grid); the error is `E_OPTIONS` at `strategy.<field>`. */
export function parseStrategy(value: SearchStrategyInput | undefined): SearchStrategy {
  const result = searchStrategySchema.safeParse(value ?? { type: 'grid' });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `invalid search strategy: ${issue.message}`,
    path: ['strategy', ...issue.path].join('.'),
  });
}
