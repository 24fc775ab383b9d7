import type * as tfTypes from '@tensorflow/tfjs';
import { z } from 'zod';
import { hashSeed } from '../rng.js';
import type { FusionInput } from '../spec/fusion.js';
import { customLayers } from './layers.js';

type SymbolicTensor = tfTypes.SymbolicTensor;

/**
 * The `modalityDropout` option every fusion takes: the probability, while training, of treating a
 * present modality as missing (never all of an example's). `defineFusion` adds it to a fusion's
 * options schema; a fusion written without `defineFusion` spreads it into its own.
 */
export const modalityDropoutSchema = z.number().min(0).max(0.9).default(0);

/**
 * Each fusion input as a `[b, d_m]` vector: vectors as they are, sequences mean-pooled over their
 * mask (a `MaskedMeanPooling` layer named `${name}/pool_${i}`).
 */
export function fusionVectors(
  tf: typeof tfTypes,
  inputs: readonly FusionInput[],
  name: string,
): SymbolicTensor[] {
  return inputs.map(({ encoded }, i) => {
    if (encoded.kind === 'vector') return encoded.output;
    const { MaskedMeanPooling } = customLayers(tf);
    return new MaskedMeanPooling({ name: `${name}/pool_${i}` }).apply(
      encoded.mask ? [encoded.output, encoded.mask] : encoded.output,
    ) as SymbolicTensor;
  });
}

export interface FusionPresenceOptions {
  /** The fusion's layer-name prefix. */
  readonly name: string;
  /** The fusion's build seed; the dropout layer's seed is `hashSeed(`${seed}:modality_dropout`)`. */
  readonly seed: number;
  readonly modalityDropout: number;
}

export interface FusionPresence {
  /** `[b, M]` presences, after modality dropout while training. */
  readonly stacked: SymbolicTensor;
  /** The columns of `stacked`, M × `[b, 1]`, in `inputs` order. */
  readonly columns: SymbolicTensor[];
}

/**
 * The fusion inputs' presences, stacked to `[b, M]` and split back per modality. With
 * `modalityDropout > 0` both go through a `ModalityDropout` layer (`${name}/modality_dropout`) and
 * `PresenceColumn` layers (`${name}/presence_column_${i}`); with 0, `stacked` is the plain
 * concatenation (`${name}/presence_concat`, or the one presence) and `columns` are the presence inputs.
 */
export function fusionPresence(
  tf: typeof tfTypes,
  inputs: readonly FusionInput[],
  options: FusionPresenceOptions,
): FusionPresence {
  const { name, seed, modalityDropout } = options;
  const presences = inputs.map((input) => input.presence);
  if (modalityDropout <= 0) {
    // Made when first asked for, so a fusion that needs only the columns adds no unused layer.
    let stacked: SymbolicTensor | undefined;
    return {
      columns: presences,
      get stacked() {
        stacked ??=
          presences.length === 1
            ? presences[0]!
            : (tf.layers
                .concatenate({ axis: -1, name: `${name}/presence_concat` })
                .apply(presences) as SymbolicTensor);
        return stacked;
      },
    };
  }
  const { ModalityDropout, PresenceColumn } = customLayers(tf);
  const stacked = new ModalityDropout({
    rate: modalityDropout,
    seed: hashSeed(`${seed}:modality_dropout`),
    name: `${name}/modality_dropout`,
  }).apply(presences) as SymbolicTensor;
  const columns = presences.map(
    (_, i) =>
      new PresenceColumn({ index: i, name: `${name}/presence_column_${i}` }).apply(stacked) as SymbolicTensor,
  );
  return { stacked, columns };
}
