import { customLayers, type FusionPresence, hashSeed } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';

export const PACKAGE_NAME = '@omnifuse/fusion-tensor';

/**
 * What stands in for a missing modality's vector: `zeros` (in a product only its constant 1 is left,
 * so the product degrades to the other modalities' terms) or a learned `embedding`.
 */
export const missingSchema = z.enum(['zeros', 'embedding']).default('zeros');
export type MissingMode = z.output<typeof missingSchema>;

/** Replaces each absent modality's vector by zeros or by a learned `MissingEmbedding`. */
export function fillMissing(
  tf: typeof tfjs,
  vectors: readonly tfjs.SymbolicTensor[],
  presence: FusionPresence,
  args: { name: string; seed: number; missing: MissingMode },
): tfjs.SymbolicTensor[] {
  const { name, seed, missing } = args;
  const { MissingEmbedding } = customLayers(tf);
  return vectors.map((vector, i) => {
    const column = presence.columns[i]!;
    const layer =
      missing === 'embedding'
        ? new MissingEmbedding({ seed: hashSeed(`${seed}:missing_${i}`), name: `${name}/missing_${i}` })
        : tf.layers.multiply({ name: `${name}/present_${i}` });
    return layer.apply([vector, column]) as tfjs.SymbolicTensor;
  });
}
