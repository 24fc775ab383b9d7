import { customLayers, type FusionInput, hashSeed } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { transformerFusionLayers } from './layers.js';

type Tf = typeof tfjs;
type SymbolicTensor = tfjs.SymbolicTensor;

/** One modality as tokens of the common size. */
export interface ModalityTokens {
  /** `[b, length, dim]`: projected, plus the modality's type embedding (and positions). */
  readonly tokens: SymbolicTensor;
  readonly length: number;
  /** The encoder's `[b, length]` token mask, or null (a vector, or an unmasked sequence). */
  readonly mask: SymbolicTensor | null;
  /** `[b, 1]` presence, after modality dropout. */
  readonly presence: SymbolicTensor;
}

export interface TokenOptions {
  readonly dim: number;
  readonly positions: boolean;
  readonly name: string;
  readonly seed: number;
}

/**
 * Each fusion input as tokens: a sequence's tokens (its mask kept) or a vector as one token,
 * projected to `dim`, plus a learned type embedding per modality and, with `positions`, learned
 * positions per sequence modality. Layers are `${name}/modality_${i}/…`.
 */
export function modalityTokens(
  tf: Tf,
  inputs: readonly FusionInput[],
  presences: readonly SymbolicTensor[],
  options: TokenOptions,
): ModalityTokens[] {
  const { dim, name, seed } = options;
  const { TypeEmbedding } = transformerFusionLayers(tf);
  const { PositionEmbedding } = customLayers(tf);
  return inputs.map(({ encoded }, i) => {
    const prefix = `${name}/modality_${i}`;
    const seedFor = (label: string) => hashSeed(`${seed}:modality_${i}:${label}`);
    const apply = (layer: tfjs.layers.Layer, x: SymbolicTensor) => layer.apply(x) as SymbolicTensor;
    let tokens = apply(
      tf.layers.dense({
        units: dim,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor('projection') }),
        name: `${prefix}/projection`,
      }),
      encoded.output,
    );
    const isSequence = encoded.kind === 'sequence';
    if (!isSequence)
      tokens = apply(tf.layers.reshape({ targetShape: [1, dim], name: `${prefix}/token` }), tokens);
    tokens = apply(
      new TypeEmbedding({ seed: seedFor('type_embedding'), name: `${prefix}/type_embedding` }),
      tokens,
    );
    if (isSequence && options.positions) {
      tokens = apply(
        new PositionEmbedding({ seed: seedFor('position_embedding'), name: `${prefix}/position_embedding` }),
        tokens,
      );
    }
    return {
      tokens,
      length: isSequence ? encoded.length : 1,
      mask: isSequence ? (encoded.mask ?? null) : null,
      presence: presences[i]!,
    };
  });
}

/**
 * The `[b, cls + ΣL]` key mask of `modalities`' tokens laid end to end: token mask × presence, so an
 * absent modality's tokens (and padding) are never attended to; with `cls`, a leading 1.
 */
export function keyMask(
  tf: Tf,
  modalities: readonly ModalityTokens[],
  options: { cls: boolean; name: string },
): SymbolicTensor {
  const { KeyMask } = transformerFusionLayers(tf);
  const inputs = modalities.flatMap((m) => (m.mask ? [m.presence, m.mask] : [m.presence]));
  return new KeyMask({
    lengths: modalities.map((m) => m.length),
    masked: modalities.map((m) => m.mask !== null),
    cls: options.cls,
    name: options.name,
  }).apply(inputs) as SymbolicTensor;
}

/** Token sequences laid end to end along the length axis (one passes through as it is). */
export function concatTokens(tf: Tf, tokens: readonly SymbolicTensor[], name: string): SymbolicTensor {
  if (tokens.length === 1) return tokens[0]!;
  return tf.layers.concatenate({ axis: 1, name }).apply([...tokens]) as SymbolicTensor;
}
