import type * as tfjs from '@tensorflow/tfjs';
import { hashSeed } from '../rng.js';
import type { CustomLayerClass } from './define-layers.js';
import { batchRandomUniform } from './random-state.js';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];

/** Constructor arguments (and saved config) of `customLayers(tf).ModalityDropout`. */
export interface ModalityDropoutArgs {
  /** Probability of dropping each present modality of each example while training. */
  readonly rate: number;
  readonly seed: number;
  readonly name?: string;
}

/** Constructor arguments (and saved config) of `customLayers(tf).MissingEmbedding`. */
export interface MissingEmbeddingArgs {
  /** Seed of the normal (stddev 0.02) initialiser of the stand-in vector. */
  readonly seed: number;
  readonly name?: string;
  readonly trainable?: boolean;
}

/** Constructor arguments (and saved config) of `customLayers(tf).PresenceColumn`. */
export interface PresenceColumnArgs {
  /** Column of the `[b, M]` presences to return. */
  readonly index: number;
  readonly name?: string;
}

export const MODALITY_DROPOUT_CLASS_NAME = 'OmnifuseModalityDropout';
export const MISSING_EMBEDDING_CLASS_NAME = 'OmnifuseMissingEmbedding';
export const PRESENCE_COLUMN_CLASS_NAME = 'OmnifusePresenceColumn';

type LayerClass<Args> = CustomLayerClass<[args: Args]>;

const shapeList = (inputShape: Shape | Shape[]): Shape[] =>
  (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
const tensorList = (inputs: Tensor | Tensor[]): Tensor[] => (Array.isArray(inputs) ? inputs : [inputs]);

/**
 * The fusion layer classes for a tfjs namespace (unregistered; `customLayers` defines and registers
 * them once per namespace).
 */
export function defineFusionLayers(tf: Tf): {
  ModalityDropout: LayerClass<ModalityDropoutArgs>;
  MissingEmbedding: LayerClass<MissingEmbeddingArgs>;
  PresenceColumn: LayerClass<PresenceColumnArgs>;
} {
  class ModalityDropout extends tf.layers.Layer {
    static className = MODALITY_DROPOUT_CLASS_NAME;
    private readonly rate: number;
    private readonly seed: number;
    private calls = 0;

    constructor(args: ModalityDropoutArgs) {
      super({ name: args.name, trainable: false });
      if (!(args.rate >= 0 && args.rate < 1)) {
        throw new Error(`${MODALITY_DROPOUT_CLASS_NAME}: rate must be in [0, 1), got ${args.rate}`);
      }
      this.rate = args.rate;
      this.seed = args.seed;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const shapes = shapeList(inputShape);
      return [shapes[0]![0] ?? null, shapes.length];
    }

    getRandomState(): number {
      return this.calls;
    }

    setRandomState(draws: number): void {
      this.calls = draws;
    }

    override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
      const list = tensorList(inputs);
      return tf.tidy(() => {
        const presence = list.length === 1 ? tf.clone(list[0]!) : tf.concat(list, 1);
        if (kwargs.training !== true || this.rate <= 0) return presence;
        // A new mask per call, repeatable from the seed (as SeededDropout does).
        const seed = hashSeed(`${this.seed}:${this.calls++}`);
        const keep = tf.cast(
          tf.greaterEqual(batchRandomUniform(tf, presence.shape, seed), this.rate),
          'float32',
        );
        const dropped = tf.mul(presence, keep);
        // An example must keep at least one present modality, else it keeps all of its own.
        const anyLeft = tf.greater(tf.sum(dropped, 1, true), 0);
        return tf.where(tf.broadcastTo(anyLeft, presence.shape), dropped, presence);
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), rate: this.rate, seed: this.seed };
    }
  }

  class MissingEmbedding extends tf.layers.Layer {
    static className = MISSING_EMBEDDING_CLASS_NAME;
    private readonly seed: number;
    private embedding: tfjs.LayerVariable | null = null;

    constructor(args: MissingEmbeddingArgs) {
      super({ name: args.name, trainable: args.trainable });
      this.seed = args.seed;
    }

    override build(inputShape: Shape | Shape[]): void {
      const [vector] = shapeList(inputShape);
      const dim = vector?.[vector.length - 1];
      if (vector?.length !== 2 || !dim) {
        throw new Error(
          `${MISSING_EMBEDDING_CLASS_NAME} needs [vector [batch, dim], presence [batch, 1]] with a known dim, got ${JSON.stringify(inputShape)}`,
        );
      }
      this.embedding = this.addWeight(
        'embedding',
        [dim],
        'float32',
        tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: this.seed }),
      );
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return [...shapeList(inputShape)[0]!];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const [vector, presence] = tensorList(inputs);
        const p = tf.cast(presence!, vector!.dtype);
        return tf.add(tf.mul(vector!, p), tf.mul(tf.sub(1, p), this.embedding!.read()));
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), seed: this.seed };
    }
  }

  class PresenceColumn extends tf.layers.Layer {
    static className = PRESENCE_COLUMN_CLASS_NAME;
    private readonly index: number;

    constructor(args: PresenceColumnArgs) {
      super({ name: args.name, trainable: false });
      if (!Number.isInteger(args.index) || args.index < 0) {
        throw new Error(
          `${PRESENCE_COLUMN_CLASS_NAME}: index must be a non-negative integer, got ${args.index}`,
        );
      }
      this.index = args.index;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const shape = shapeList(inputShape)[0]!;
      const width = shape[1];
      if (shape.length !== 2 || (width != null && this.index >= width)) {
        throw new Error(
          `${PRESENCE_COLUMN_CLASS_NAME}: column ${this.index} of a ${JSON.stringify(shape)} input does not exist`,
        );
      }
      return [shape[0] ?? null, 1];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      const x = tensorList(inputs)[0]!;
      return tf.tidy(() => tf.slice(x, [0, this.index], [-1, 1]));
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), index: this.index };
    }
  }

  return { ModalityDropout, MissingEmbedding, PresenceColumn };
}
