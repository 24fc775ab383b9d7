import type * as tfjs from '@tensorflow/tfjs';
import type { CustomLayerClass } from './define-layers.js';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];

/** Constructor arguments (and saved config) of `customLayers(tf).PositionEmbedding`. */
export interface PositionEmbeddingArgs {
  readonly name?: string;
  /** Seed of the truncated-normal initialiser. */
  readonly seed: number;
  /** Standard deviation of the initial embeddings; ViT uses 0.02. */
  readonly stddev?: number;
  readonly trainable?: boolean;
}

export const POSITION_EMBEDDING_CLASS_NAME = 'OmnifusePositionEmbedding';

/**
 * The position-embedding layer class for a tfjs namespace (unregistered; `customLayers` defines
 * and registers it once per namespace): `[batch, length, dim]` → the same plus a learned
 * `[length, dim]` embedding per position (ViT's and BERT's learned positions), shared by sequence
 * encoders of every modality.
 */
export function definePositionEmbedding(tf: Tf): CustomLayerClass<[args: PositionEmbeddingArgs]> {
  class PositionEmbedding extends tf.layers.Layer {
    static className = POSITION_EMBEDDING_CLASS_NAME;
    private readonly seed: number;
    private readonly stddev: number;
    private embeddings: tfjs.LayerVariable | null = null;

    constructor(args: PositionEmbeddingArgs) {
      super({ name: args.name, trainable: args.trainable });
      this.seed = args.seed;
      this.stddev = args.stddev ?? 0.02;
    }

    override build(inputShape: Shape | Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const [, length, dim] = shape;
      if (shape.length !== 3 || !length || !dim) {
        throw new Error(
          `${POSITION_EMBEDDING_CLASS_NAME} needs a [batch, length, dim] input with known length and dim, got ${JSON.stringify(shape)}`,
        );
      }
      this.embeddings = this.addWeight(
        'embeddings',
        [length, dim],
        'float32',
        tf.initializers.truncatedNormal({ mean: 0, stddev: this.stddev, seed: this.seed }),
      );
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
      return inputShape;
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        return tf.add(x, this.embeddings!.read());
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), seed: this.seed, stddev: this.stddev };
    }
  }

  return PositionEmbedding;
}
