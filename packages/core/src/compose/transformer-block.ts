import type * as tfjs from '@tensorflow/tfjs';
import { hashSeed } from '../rng.js';
import { customLayers } from './layers.js';

type Tf = typeof tfjs;
type SymbolicTensor = tfjs.SymbolicTensor;

export interface TransformerBlockOptions {
  readonly numHeads: number;
  /** Hidden size of the feed-forward network. */
  readonly ffDim: number;
  /** Size of each head; default `dim / numHeads` (rounded down, at least 1). */
  readonly keyDim?: number;
  /** Dropout on the attention weights and on both residual branches while training; default 0. */
  readonly dropout?: number;
  readonly activation?: 'relu' | 'gelu';
  readonly seed: number;
  /** Prefix of the block's layer names; names must be unique within a model. */
  readonly name: string;
}

/**
 * One pre-norm transformer encoder block on a symbolic `[batch, length, dim]` sequence:
 * `x + Attention(LN(x))`, then `x + FFN(LN(x))`, with `mask` (`[batch, length]`, 1 = real token, or
 * null) hiding padding keys. Pre-norm (Xiong et al. 2020) trains small models without learning-rate
 * warm-up, which the trainer does not do; the price is that the sum of residuals is not normalised,
 * so a stack of blocks should end with {@link applyFinalNorm}. Padding positions still get outputs
 * (they attend to the real tokens); consumers ignore them through the mask.
 */
export function applyTransformerBlock(
  tf: Tf,
  x: SymbolicTensor,
  mask: SymbolicTensor | null,
  options: TransformerBlockOptions,
): SymbolicTensor {
  const { name, numHeads } = options;
  const dim = x.shape[x.shape.length - 1];
  if (typeof dim !== 'number') throw new Error(`applyTransformerBlock needs a known size, got ${x.shape}`);
  const keyDim = options.keyDim ?? Math.max(1, Math.floor(dim / numHeads));
  const dropout = options.dropout ?? 0;
  const seedFor = (label: string) => hashSeed(`${options.seed}:${label}`);
  const { MultiHeadAttention, SeededDropout } = customLayers(tf);
  const apply = (layer: tfjs.layers.Layer, input: SymbolicTensor | SymbolicTensor[]) =>
    layer.apply(input) as SymbolicTensor;
  const norm = (label: string, input: SymbolicTensor) =>
    apply(tf.layers.layerNormalization({ epsilon: 1e-6, name: `${name}/${label}` }), input);
  const drop = (label: string, input: SymbolicTensor) =>
    dropout > 0
      ? apply(new SeededDropout({ rate: dropout, seed: seedFor(label), name: `${name}/${label}` }), input)
      : input;
  const dense = (units: number, label: string, activation?: 'relu' | 'gelu') =>
    tf.layers.dense({
      units,
      activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(label) }),
      name: `${name}/${label}`,
    });

  let h = norm('attention_norm', x);
  const attention = new MultiHeadAttention({
    numHeads,
    keyDim,
    dropout,
    seed: seedFor('attention'),
    name: `${name}/attention`,
  });
  h = apply(attention, mask ? [h, h, mask] : [h, h]);
  h = drop('attention_dropout', h);
  let out = apply(tf.layers.add({ name: `${name}/attention_residual` }), [x, h]);

  h = norm('ff_norm', out);
  h = apply(dense(options.ffDim, 'ff_in', options.activation ?? 'relu'), h);
  h = apply(dense(dim, 'ff_out'), h);
  h = drop('ff_dropout', h);
  out = apply(tf.layers.add({ name: `${name}/ff_residual` }), [out, h]);
  return out;
}

/** The layer norm that closes a stack of pre-norm blocks. */
export function applyFinalNorm(tf: Tf, x: SymbolicTensor, name: string): SymbolicTensor {
  return tf.layers.layerNormalization({ epsilon: 1e-6, name }).apply(x) as SymbolicTensor;
}
