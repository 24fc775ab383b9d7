import type * as tfTypes from '@tensorflow/tfjs';
import { hashSeed } from '../rng.js';
import { type CustomLayerClass, defineLayers } from './define-layers.js';
import {
  defineFusionLayers,
  type MissingEmbeddingArgs,
  type ModalityDropoutArgs,
  type PresenceColumnArgs,
} from './fusion-layers.js';
import {
  defineMultiHeadAttention,
  MASKED_SCORE,
  type MultiHeadAttentionArgs,
} from './multi-head-attention.js';
import { definePositionEmbedding, type PositionEmbeddingArgs } from './position-embedding.js';
import { batchDropout } from './random-state.js';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;
type Shape = (number | null)[];

/** Constructor arguments of {@link CustomLayers.SeededDropout}. */
export interface SeededDropoutArgs {
  readonly rate: number;
  readonly seed: number;
  readonly name?: string;
}

/** The layers composition adds around plugin layers, bound to one tfjs namespace. */
export interface CustomLayers {
  /**
   * `[sequence [b, L, d], mask [b, L]]` (or the sequence alone) → `[b, d]`: the mean of the real
   * positions; an example whose mask is all zeros pools to zeros.
   */
  readonly MaskedMeanPooling: new (args?: {
    name?: string;
  }) => tfTypes.layers.Layer;
  /**
   * Dropout whose mask is drawn from `seed` and a call counter, so a training run is repeatable
   * (tfjs's own dropout either reuses one mask for a fixed seed or draws from `Math.random`).
   */
  readonly SeededDropout: new (
    args: SeededDropoutArgs,
  ) => tfTypes.layers.Layer;
  /** `[b, L, d]` → the same plus a learned `[L, d]` position embedding. */
  readonly PositionEmbedding: new (
    args: PositionEmbeddingArgs,
  ) => tfTypes.layers.Layer;
  /**
   * `[sequence [b, L, d], mask [b, L]]` (or the sequence alone) → `[b, d]`: the per-feature maximum
   * over the real positions; an example whose mask is all zeros pools to zeros.
   */
  readonly MaskedMaxPooling: new (args?: {
    name?: string;
  }) => tfTypes.layers.Layer;
  /** Token ids `[b, L]` → float `[b, L]` padding mask: 1 where the id is not 0 (the padding id). */
  readonly TokenMask: new (args?: {
    name?: string;
  }) => tfTypes.layers.Layer;
  /**
   * `[query [b, Lq, dq], value [b, Lk, dv]]` or `[query, value, keyMask [b, Lk]]` → `[b, Lq, dq]`:
   * masked multi-head scaled dot-product attention (self- or cross-attention); masked keys get no
   * weight, and an example with no real key outputs zeros.
   */
  readonly MultiHeadAttention: new (
    args: MultiHeadAttentionArgs,
  ) => tfTypes.layers.Layer;
  /**
   * M presences `[b, 1]` → `[b, M]`; while training, drops each present modality with probability
   * `rate` (seeded per call), never all of an example's present modalities. Inference: identity.
   */
  readonly ModalityDropout: new (
    args: ModalityDropoutArgs,
  ) => tfTypes.layers.Layer;
  /** `[vector [b, d], presence [b, 1]]` → the vector where present, a learned `[d]` stand-in where not. */
  readonly MissingEmbedding: new (
    args: MissingEmbeddingArgs,
  ) => tfTypes.layers.Layer;
  /** `[b, M]` → `[b, 1]`: column `index` (a serialisable slice, where a Lambda layer would not be). */
  readonly PresenceColumn: new (
    args: PresenceColumnArgs,
  ) => tfTypes.layers.Layer;
  /**
   * tfjs's `Conv2D` (same arguments and weights) that trains through the plain `conv2d` op: its
   * gradient computes the input's gradient only when something needs it, where the fused op tfjs
   * uses computes it always. On a network's first layer (a model input: nothing needs it) this
   * saves one `Conv2DBackpropInput` per step. Inference runs tfjs's own path.
   */
  readonly Conv2D: new (
    args: Parameters<Tf['layers']['conv2d']>[0],
  ) => tfTypes.layers.Layer;
}

/** The fields of tfjs-layers' Conv2D that the plain-op path reads. */
interface ConvFields {
  readonly kernel: tfTypes.LayerVariable;
  readonly bias: tfTypes.LayerVariable | null;
  readonly strides: [number, number];
  readonly padding: string;
  readonly dataFormat: string;
  readonly dilationRate: [number, number];
  readonly activation: { apply(x: Tensor): Tensor };
}

/**
 * The custom layer classes for a tfjs namespace, defined and registered for serialization once per
 * namespace (the namespace is passed in so that core never holds its own tfjs copy).
 */
export const customLayers: (tf: Tf) => CustomLayers = defineLayers((tf) => {
  class MaskedMeanPooling extends tf.layers.Layer {
    static className = 'OmnifuseMaskedMeanPooling';

    constructor(args: { name?: string } = {}) {
      super({ ...args, trainable: false });
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const sequence = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      return [sequence[0] ?? null, sequence[2] ?? null];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const list = Array.isArray(inputs) ? inputs : [inputs];
        const sequence = list[0]!;
        if (list.length < 2 || !list[1]) return tf.mean(sequence, 1);
        const mask = tf.cast(list[1], sequence.dtype);
        const summed = tf.sum(tf.mul(sequence, tf.expandDims(mask, -1)), 1);
        const count = tf.maximum(tf.sum(mask, 1, true), tf.scalar(1e-6));
        return tf.div(summed, count);
      });
    }
  }

  class SeededDropout extends tf.layers.Layer {
    static className = 'OmnifuseSeededDropout';
    private readonly rate: number;
    private readonly seed: number;
    private calls = 0;

    constructor(args: SeededDropoutArgs) {
      super({ name: args.name });
      this.rate = args.rate;
      this.seed = args.seed;
      this.supportsMasking = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
      return inputShape;
    }

    getRandomState(): number {
      return this.calls;
    }

    setRandomState(draws: number): void {
      this.calls = draws;
    }

    override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      if (kwargs.training !== true || this.rate <= 0) return tf.clone(x);
      const seed = hashSeed(`${this.seed}:${this.calls++}`);
      return batchDropout(tf, x, this.rate, seed);
    }

    override getConfig(): tfTypes.serialization.ConfigDict {
      return { ...super.getConfig(), rate: this.rate, seed: this.seed };
    }
  }

  class MaskedMaxPooling extends tf.layers.Layer {
    static className = 'OmnifuseMaskedMaxPooling';

    constructor(args: { name?: string } = {}) {
      super({ ...args, trainable: false });
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const sequence = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      return [sequence[0] ?? null, sequence[2] ?? null];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const list = Array.isArray(inputs) ? inputs : [inputs];
        const sequence = list[0]!;
        if (list.length < 2 || !list[1]) return tf.max(sequence, 1);
        const mask = tf.cast(list[1], sequence.dtype);
        // Padding can never win the max; an all-padding example then gives zeros, not -1e9.
        const shifted = tf.add(sequence, tf.expandDims(tf.mul(tf.sub(1, mask), MASKED_SCORE), -1));
        const anyReal = tf.cast(tf.greater(tf.sum(mask, 1, true), 0), sequence.dtype);
        return tf.mul(tf.max(shifted, 1), anyReal);
      });
    }
  }

  class TokenMask extends tf.layers.Layer {
    static className = 'OmnifuseTokenMask';

    constructor(args: { name?: string } = {}) {
      super({ ...args, trainable: false });
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      const ids = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.tidy(() => tf.cast(tf.notEqual(ids, 0), 'float32'));
    }
  }

  // tfjs-layers exports Conv2D only through its factory.
  const BaseConv2D = tf.layers.conv2d({ filters: 1, kernelSize: 1 }).constructor as CustomLayerClass<
    [args: Parameters<Tf['layers']['conv2d']>[0]]
  >;
  class Conv2D extends BaseConv2D {
    static override className = 'OmnifuseConv2D';

    override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
      const conv = this as unknown as ConvFields;
      if (kwargs.training !== true || conv.dataFormat !== 'channelsLast') return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tfTypes.Tensor4D;
        let y: Tensor = tf.conv2d(
          x,
          conv.kernel.read() as tfTypes.Tensor4D,
          conv.strides,
          conv.padding === 'same' ? 'same' : 'valid',
          'NHWC',
          conv.dilationRate,
        );
        if (conv.bias) y = tf.add(y, conv.bias.read());
        return conv.activation.apply(y);
      });
    }
  }

  return {
    ...defineFusionLayers(tf),
    MaskedMeanPooling,
    MaskedMaxPooling,
    SeededDropout,
    PositionEmbedding: definePositionEmbedding(tf),
    TokenMask,
    MultiHeadAttention: defineMultiHeadAttention(tf),
    Conv2D,
  };
});
