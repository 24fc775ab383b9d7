import { type CustomLayerClass, defineLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];

export const LATE_FUSION_WEIGHTS_CLASS_NAME = 'OmnifuseLateFusionWeights';

/** How the per-example weights of the modalities' decisions are made. */
export type LateFusionWeighting = 'mean' | 'weighted' | 'learned';

/** Constructor arguments (and saved config) of the {@link lateFusionLayers} `LateFusionWeights` layer. */
export interface LateFusionWeightsArgs {
  readonly mode: LateFusionWeighting;
  /** Fixed non-negative weights, one per modality, for `weighted`. */
  readonly weights?: readonly number[] | null;
  readonly name?: string;
  readonly trainable?: boolean;
}

/**
 * The `LateFusionWeights` layer class for a tfjs namespace, defined and registered once per
 * namespace: presences `[b, M]` → weights `[b, M]`, each example's weights renormalised over its
 * present modalities (missing ones get exactly 0; an example with none present gets all zeros).
 * `mean`: equal weights; `weighted`: the fixed `weights`; `learned`: a softmax over learned logits
 * (initialised to 0, so training starts from the mean).
 */
export const lateFusionLayers: (tf: Tf) => {
  readonly LateFusionWeights: CustomLayerClass<[args: LateFusionWeightsArgs]>;
} = defineLayers((tf) => {
  class LateFusionWeights extends tf.layers.Layer {
    static className = LATE_FUSION_WEIGHTS_CLASS_NAME;
    private readonly mode: LateFusionWeighting;
    private readonly fixed: number[] | null;
    private logits: tfjs.LayerVariable | null = null;

    constructor(args: LateFusionWeightsArgs) {
      super({ name: args.name, trainable: args.trainable });
      this.mode = args.mode;
      this.fixed = args.weights ? [...args.weights] : null;
      if (this.mode === 'weighted' && !this.fixed) {
        throw new Error(`${LATE_FUSION_WEIGHTS_CLASS_NAME}: mode "weighted" needs weights`);
      }
    }

    override build(inputShape: Shape | Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const m = shape[1];
      if (shape.length !== 2 || !m) {
        throw new Error(
          `${LATE_FUSION_WEIGHTS_CLASS_NAME} needs presences [batch, M], got ${JSON.stringify(shape)}`,
        );
      }
      if (this.fixed && this.fixed.length !== m) {
        throw new Error(
          `${LATE_FUSION_WEIGHTS_CLASS_NAME}: ${this.fixed.length} weights for ${m} modalities`,
        );
      }
      if (this.mode === 'learned')
        this.logits = this.addWeight('logits', [m], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const presence = Array.isArray(inputs) ? inputs[0]! : inputs;
        let scores: Tensor;
        if (this.mode === 'learned') {
          const logits = this.logits!.read();
          scores = tf.exp(tf.sub(logits, tf.max(logits)));
        } else if (this.mode === 'weighted') {
          scores = tf.tensor1d(this.fixed!);
        } else {
          scores = tf.onesLike(presence);
        }
        const masked = tf.mul(presence, scores);
        // The floor only matters for an example with nothing present, whose weights stay 0.
        return tf.div(masked, tf.maximum(tf.sum(masked, 1, true), 1e-12));
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), mode: this.mode, weights: this.fixed };
    }
  }

  return { LateFusionWeights };
});
