import { defineLayers, hashSeed } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];

export const TENSOR_FUSION_CLASS_NAME = 'OmnifuseTensorFusion';
export const LOW_RANK_FUSION_CLASS_NAME = 'OmnifuseLowRankFusion';

/** Constructor arguments (and saved config) of `tensorLayers(tf).LowRankFusion`. */
export interface LowRankFusionArgs {
  /** Number of rank-one terms `r`. */
  readonly rank: number;
  /** Output width. */
  readonly units: number;
  /** Seed of the factors' normal initialisers (one derived seed per modality). */
  readonly seed: number;
  readonly name?: string;
  readonly trainable?: boolean;
}

/** The custom layers of the tensor fusions, bound to one tfjs namespace. */
export interface TensorLayers {
  /**
   * `[z_1 [b, d_1], …, z_M [b, d_M]]` → `[b, Π(d_m + 1)]`: the outer product of the vectors each
   * extended with a constant 1, flattened row-major (the first modality's index varies slowest).
   */
  readonly TensorFusion: new (args?: {
    name?: string;
  }) => tfjs.layers.Layer;
  /**
   * `[x_1 [b, d_1], …, x_M [b, d_M]]` → `[b, units]`: `Σ_i Π_m ([x_m, 1] · W_m^(i))` with learned
   * factors `W_m` of shape `[rank, d_m + 1, units]` (Liu et al. 2018).
   */
  readonly LowRankFusion: new (
    args: LowRankFusionArgs,
  ) => tfjs.layers.Layer;
}

const shapeList = (inputShape: Shape | Shape[]): Shape[] =>
  (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
const tensorList = (inputs: Tensor | Tensor[]): Tensor[] => (Array.isArray(inputs) ? inputs : [inputs]);

function widthOf(shape: Shape, className: string): number {
  const width = shape[shape.length - 1];
  if (shape.length !== 2 || !width) {
    throw new Error(`${className} needs [batch, dim] inputs with a known dim, got ${JSON.stringify(shape)}`);
  }
  return width;
}

/** `[b, d]` → `[b, d + 1]` with a last column of ones. */
function withOne(tf: Tf, x: Tensor): Tensor {
  return tf.concat([x, tf.ones([x.shape[0]!, 1], x.dtype)], 1);
}

/**
 * The tensor fusions' layer classes for a tfjs namespace, defined and registered for serialization
 * once per namespace (as core's `customLayers`).
 */
export const tensorLayers: (tf: Tf) => TensorLayers = defineLayers((tf) => {
  class TensorFusion extends tf.layers.Layer {
    static className = TENSOR_FUSION_CLASS_NAME;

    constructor(args: { name?: string } = {}) {
      super({ ...args, trainable: false });
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const shapes = shapeList(inputShape);
      const size = shapes.reduce((product, s) => product * (widthOf(s, TENSOR_FUSION_CLASS_NAME) + 1), 1);
      return [shapes[0]![0] ?? null, size];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const [first, ...rest] = tensorList(inputs).map((x) => withOne(tf, x));
        let product = first!;
        for (const next of rest) {
          const outer = tf.mul(tf.expandDims(product, 2), tf.expandDims(next, 1));
          product = tf.reshape(outer, [product.shape[0]!, product.shape[1]! * next.shape[1]!]);
        }
        return product;
      });
    }
  }

  class LowRankFusion extends tf.layers.Layer {
    static className = LOW_RANK_FUSION_CLASS_NAME;
    private readonly rank: number;
    private readonly units: number;
    private readonly seed: number;
    private factors: tfjs.LayerVariable[] = [];

    constructor(args: LowRankFusionArgs) {
      super({ name: args.name, trainable: args.trainable });
      for (const key of ['rank', 'units'] as const) {
        if (!Number.isInteger(args[key]) || args[key] < 1) {
          throw new Error(
            `${LOW_RANK_FUSION_CLASS_NAME}: ${key} must be a positive integer, got ${args[key]}`,
          );
        }
      }
      this.rank = args.rank;
      this.units = args.units;
      this.seed = args.seed;
    }

    override build(inputShape: Shape | Shape[]): void {
      this.factors = shapeList(inputShape).map((shape, m) => {
        const width = widthOf(shape, LOW_RANK_FUSION_CLASS_NAME) + 1;
        // Each rank term's projection of [x, 1] starts near unit scale, so their products do too.
        return this.addWeight(
          `factor_${m}`,
          [this.rank, width, this.units],
          'float32',
          tf.initializers.randomNormal({
            mean: 0,
            stddev: 1 / Math.sqrt(width),
            seed: hashSeed(`${this.seed}:factor_${m}`),
          }),
        );
      });
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return [shapeList(inputShape)[0]![0] ?? null, this.units];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        let product: Tensor | null = null;
        tensorList(inputs).forEach((x, m) => {
          const extended = withOne(tf, x); // [b, d + 1]
          const width = extended.shape[1]!;
          // [rank, d + 1, units] → [d + 1, rank · units], so one matMul projects for every rank term.
          const factor = tf.reshape(tf.transpose(this.factors[m]!.read(), [1, 0, 2]), [
            width,
            this.rank * this.units,
          ]);
          const projected = tf.reshape(tf.matMul(extended, factor), [-1, this.rank, this.units]);
          product = product ? tf.mul(product, projected) : projected;
        });
        return tf.sum(product!, 1);
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), rank: this.rank, units: this.units, seed: this.seed };
    }
  }

  return { TensorFusion, LowRankFusion };
});
