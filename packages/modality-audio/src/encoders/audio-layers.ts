import { type CustomLayerClass, defineLayers } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];
type LayerClass<Args> = CustomLayerClass<[args: Args]>;

export const AUDIO_SELF_ATTENTION_CLASS_NAME = 'OmnifuseAudioSelfAttention';

/** Constructor arguments (and saved config) of `audioLayers(tf).SelfAttention`. */
export interface AudioSelfAttentionArgs {
  readonly name?: string;
  /** Seed of the Glorot-uniform initialisers of the query, key, value and output projections. */
  readonly seed: number;
  readonly trainable?: boolean;
}

/** The custom layers of the audio encoders, bound to one tfjs namespace (positions: core's `customLayers`). */
export interface AudioLayers {
  /** `[batch, length, dim]` → single-head scaled dot-product self-attention, projected back to `dim`. */
  readonly SelfAttention: LayerClass<AudioSelfAttentionArgs>;
}

/**
 * The audio custom layer classes for a tfjs namespace, defined and registered for serialization once
 * per namespace (the namespace comes from the build context, so this package holds no tfjs).
 */
export const audioLayers: (tf: Tf) => AudioLayers = defineLayers((tf) => ({
  SelfAttention: defineSelfAttention(tf),
}));

function sequenceShape(className: string, inputShape: Shape | Shape[]): [number, number] {
  const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  const [, length, dim] = shape;
  if (shape.length !== 3 || !length || !dim) {
    throw new Error(
      `${className} needs a [batch, length, dim] input with known length and dim, got ${JSON.stringify(shape)}`,
    );
  }
  return [length, dim];
}

function firstInput(inputs: Tensor | Tensor[]): Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

function defineSelfAttention(tf: Tf): LayerClass<AudioSelfAttentionArgs> {
  // tfjs has no MultiHeadAttention layer; one head keeps this small and is enough for short clips.
  class SelfAttention extends tf.layers.Layer {
    static className = AUDIO_SELF_ATTENTION_CLASS_NAME;
    private readonly seed: number;
    private projections: tfjs.LayerVariable[] = [];

    constructor(args: AudioSelfAttentionArgs) {
      super({ name: args.name, trainable: args.trainable });
      this.seed = args.seed;
    }

    override build(inputShape: Shape | Shape[]): void {
      const [, dim] = sequenceShape(AUDIO_SELF_ATTENTION_CLASS_NAME, inputShape);
      this.projections = ['query', 'key', 'value', 'output'].map((label, i) =>
        this.addWeight(
          `${label}_kernel`,
          [dim, dim],
          'float32',
          tf.initializers.glorotUniform({ seed: this.seed + i }),
        ),
      );
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
      return inputShape;
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = firstInput(inputs) as tfjs.Tensor3D;
        const [batch, length, dim] = x.shape;
        const flat = tf.reshape(x, [batch * length, dim]);
        const project = (from: Tensor, i: number) =>
          tf.reshape(tf.matMul(from as tfjs.Tensor2D, this.projections[i]!.read() as tfjs.Tensor2D), [
            batch,
            length,
            dim,
          ]) as tfjs.Tensor3D;
        const [query, key, value] = [0, 1, 2].map((i) => project(flat, i)) as [
          tfjs.Tensor3D,
          tfjs.Tensor3D,
          tfjs.Tensor3D,
        ];
        const scores = tf.div(tf.matMul(query, key, false, true), Math.sqrt(dim));
        const attended = tf.matMul(tf.softmax(scores, -1) as tfjs.Tensor3D, value);
        return project(tf.reshape(attended, [batch * length, dim]), 3);
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), seed: this.seed };
    }
  }
  return SelfAttention;
}
