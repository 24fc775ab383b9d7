import { type CustomLayerClass, defineLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];
/** A layer class with the static `className` it is registered under. */
type LayerClass<Args> = CustomLayerClass<[args: Args]>;

/** Constructor arguments (and saved config) of the learned-vector layers. */
export interface LearnedTokenArgs {
  /** Seed of the truncated-normal initialiser. */
  readonly seed: number;
  /** Standard deviation of the initial vector; BERT and ViT use 0.02. */
  readonly stddev?: number;
  readonly name?: string;
  readonly trainable?: boolean;
}

/** Constructor arguments (and saved config) of {@link TransformerFusionLayers.KeyMask}. */
export interface KeyMaskArgs {
  /** Token count of each modality, in input order. */
  readonly lengths: readonly number[];
  /** Whether each modality comes with a `[b, L]` token mask (vectors and unmasked sequences do not). */
  readonly masked: readonly boolean[];
  /** Puts an always-real position (the [CLS] token) first. */
  readonly cls: boolean;
  readonly name?: string;
}

export const CLS_TOKEN_CLASS_NAME = 'OmnifuseTransformerClsToken';
export const TYPE_EMBEDDING_CLASS_NAME = 'OmnifuseTransformerTypeEmbedding';
export const KEY_MASK_CLASS_NAME = 'OmnifuseTransformerKeyMask';
export const FIRST_TOKEN_CLASS_NAME = 'OmnifuseTransformerFirstToken';

/** The custom layers of the transformer fusion, bound to one tfjs namespace. */
export interface TransformerFusionLayers {
  /** `[b, T, d]` → `[b, 1 + T, d]`: a learned `[d]` [CLS] vector put before the tokens. */
  readonly ClsToken: LayerClass<LearnedTokenArgs>;
  /** `[b, L, d]` → the same plus one learned `[d]` vector (the modality's type) on every token. */
  readonly TypeEmbedding: LayerClass<LearnedTokenArgs>;
  /**
   * Per modality its presence `[b, 1]`, then its token mask `[b, L]` where `masked` → the key mask
   * `[b, cls + ΣL]`: token mask × presence, with a leading 1 for [CLS] when `cls`.
   */
  readonly KeyMask: LayerClass<KeyMaskArgs>;
  /** `[b, T, d]` → `[b, d]`: the first token (the [CLS] state). */
  readonly FirstToken: CustomLayerClass<[args?: { name?: string }]>;
}

const shapeList = (inputShape: Shape | Shape[]): Shape[] =>
  (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
const tensorList = (inputs: Tensor | Tensor[]): Tensor[] => (Array.isArray(inputs) ? inputs : [inputs]);

/**
 * The fusion's layer classes for a tfjs namespace, defined and registered for serialization once
 * per namespace (the namespace is passed in, so this package never holds its own tfjs copy).
 */
export const transformerFusionLayers: (tf: Tf) => TransformerFusionLayers = defineLayers((tf) => {
  /** A layer adding one learned `[d]` vector; subclasses say where it goes. */
  abstract class LearnedToken extends tf.layers.Layer {
    protected readonly seed: number;
    protected readonly stddev: number;
    protected vector: tfjs.LayerVariable | null = null;

    constructor(args: LearnedTokenArgs) {
      super({ name: args.name, trainable: args.trainable });
      this.seed = args.seed;
      this.stddev = args.stddev ?? 0.02;
    }

    override build(inputShape: Shape | Shape[]): void {
      const shape = shapeList(inputShape)[0]!;
      const dim = shape[2];
      if (shape.length !== 3 || !dim) {
        throw new Error(
          `${this.getClassName()} needs a [batch, length, dim] input with a known dim, got ${JSON.stringify(shape)}`,
        );
      }
      this.vector = this.addWeight(
        'embedding',
        [dim],
        'float32',
        tf.initializers.truncatedNormal({ mean: 0, stddev: this.stddev, seed: this.seed }),
      );
      this.built = true;
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), seed: this.seed, stddev: this.stddev };
    }
  }

  class ClsToken extends LearnedToken {
    static className = CLS_TOKEN_CLASS_NAME;

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [batch, length, dim] = shapeList(inputShape)[0]!;
      return [batch ?? null, length == null ? null : length + 1, dim ?? null];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const tokens = tensorList(inputs)[0]!;
        const [batch, , dim] = tokens.shape;
        const cls = tf.broadcastTo(tf.reshape(this.vector!.read(), [1, 1, dim!]), [batch!, 1, dim!]);
        return tf.concat([cls, tokens], 1);
      });
    }
  }

  class TypeEmbedding extends LearnedToken {
    static className = TYPE_EMBEDDING_CLASS_NAME;

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return [...shapeList(inputShape)[0]!];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => tf.add(tensorList(inputs)[0]!, this.vector!.read()));
    }
  }

  class KeyMask extends tf.layers.Layer {
    static className = KEY_MASK_CLASS_NAME;
    private readonly lengths: number[];
    private readonly masked: boolean[];
    private readonly cls: boolean;

    constructor(args: KeyMaskArgs) {
      super({ name: args.name, trainable: false });
      if (args.lengths.length !== args.masked.length || args.lengths.length === 0) {
        throw new Error(`${KEY_MASK_CLASS_NAME}: lengths and masked must be non-empty and of equal length`);
      }
      this.lengths = [...args.lengths];
      this.masked = [...args.masked];
      this.cls = args.cls;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const total = this.lengths.reduce((a, b) => a + b, 0) + (this.cls ? 1 : 0);
      return [shapeList(inputShape)[0]![0] ?? null, total];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      const list = tensorList(inputs);
      return tf.tidy(() => {
        const batch = list[0]!.shape[0]!;
        const parts: Tensor[] = this.cls ? [tf.ones([batch, 1])] : [];
        let next = 0;
        this.lengths.forEach((length, m) => {
          const presence = tf.cast(list[next++]!, 'float32');
          parts.push(
            this.masked[m]
              ? tf.mul(tf.cast(list[next++]!, 'float32'), presence)
              : tf.broadcastTo(presence, [batch, length]),
          );
        });
        return parts.length === 1 ? tf.clone(parts[0]!) : tf.concat(parts, 1);
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), lengths: [...this.lengths], masked: [...this.masked], cls: this.cls };
    }
  }

  class FirstToken extends tf.layers.Layer {
    static className = FIRST_TOKEN_CLASS_NAME;

    constructor(args: { name?: string } = {}) {
      super({ name: args.name, trainable: false });
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [batch, , dim] = shapeList(inputShape)[0]!;
      return [batch ?? null, dim ?? null];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const tokens = tensorList(inputs)[0]!;
        return tf.reshape(tf.slice(tokens, [0, 0, 0], [-1, 1, -1]), [tokens.shape[0]!, tokens.shape[2]!]);
      });
    }
  }

  return { ClsToken, TypeEmbedding, KeyMask, FirstToken };
});
