import { customLayers, hashSeed } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';
import { concatTokens, keyMask, type ModalityTokens } from './tokens.js';

type Tf = typeof tfjs;
type SymbolicTensor = tfjs.SymbolicTensor;

export interface CrossAttentionOptions {
  readonly numHeads: number;
  readonly dropout: number;
  readonly name: string;
  readonly seed: number;
}

/**
 * MulT-style cross-modal attention (Tsai et al. 2019), all modalities at once: each modality's
 * tokens `x` become `x + Attention(LN(x), LN(others))`, the keys being every other modality's tokens
 * masked by their presence and token masks (so absent modalities and padding are never read; with
 * no real key the attention adds zeros). With one modality there is nothing to attend to: tokens
 * pass unchanged. Layers are `${name}/cross_${i}/…`.
 */
export function applyCrossAttention(
  tf: Tf,
  modalities: readonly ModalityTokens[],
  options: CrossAttentionOptions,
): ModalityTokens[] {
  if (modalities.length < 2) return [...modalities];
  const { MultiHeadAttention, SeededDropout } = customLayers(tf);
  const { numHeads, dropout, seed } = options;
  return modalities.map((modality, i) => {
    const prefix = `${options.name}/cross_${i}`;
    const seedFor = (label: string) => hashSeed(`${seed}:cross_${i}:${label}`);
    const apply = (layer: tfjs.layers.Layer, x: SymbolicTensor | SymbolicTensor[]) =>
      layer.apply(x) as SymbolicTensor;
    const norm = (label: string, x: SymbolicTensor) =>
      apply(tf.layers.layerNormalization({ epsilon: 1e-6, name: `${prefix}/${label}` }), x);
    const others = modalities.filter((_, j) => j !== i);
    const context = norm(
      'context_norm',
      concatTokens(
        tf,
        others.map((m) => m.tokens),
        `${prefix}/context`,
      ),
    );
    const mask = keyMask(tf, others, { cls: false, name: `${prefix}/key_mask` });
    const dim = modality.tokens.shape[2] as number;
    let h = apply(
      new MultiHeadAttention({
        numHeads,
        keyDim: dim / numHeads,
        dropout,
        seed: seedFor('attention'),
        name: `${prefix}/attention`,
      }),
      [norm('query_norm', modality.tokens), context, mask],
    );
    if (dropout > 0) {
      h = apply(new SeededDropout({ rate: dropout, seed: seedFor('dropout'), name: `${prefix}/dropout` }), h);
    }
    const tokens = apply(tf.layers.add({ name: `${prefix}/residual` }), [modality.tokens, h]);
    return { ...modality, tokens };
  });
}
