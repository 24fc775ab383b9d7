import type { CustomLayerClass } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];

/** Constructor arguments (and saved config) of `visionLayers(tf).PixelNormalization`. */
export interface PixelNormalizationArgs {
  readonly name?: string;
  /** Per-channel factor (one value per channel of the input's last axis). */
  readonly scale: readonly number[];
  /** Per-channel term added after scaling. */
  readonly offset: readonly number[];
}

export const PIXEL_NORMALIZATION_CLASS_NAME = 'OmnifuseVisionPixelNormalization';

/**
 * The pixel-normalisation layer class for a tfjs namespace (unregistered: `visionLayers` defines
 * and registers it once per namespace): `x × scale_c + offset_c` on the last axis, with
 * constant, non-trainable `scale` and `offset` kept in the config, not in the weights. It turns
 * 0–255 uint8 pixels into the values the image preprocessor's `normalize` describes, on the backend.
 */
export function definePixelNormalization(tf: Tf): CustomLayerClass<[args: PixelNormalizationArgs]> {
  return class PixelNormalization extends tf.layers.Layer {
    static className = PIXEL_NORMALIZATION_CLASS_NAME;
    private readonly scale: number[];
    private readonly offset: number[];

    constructor(args: PixelNormalizationArgs) {
      super({ name: args.name, trainable: false });
      if (args.scale.length === 0 || args.scale.length !== args.offset.length) {
        throw new Error(
          `${PIXEL_NORMALIZATION_CLASS_NAME} needs as many offsets as scales (one per channel), got ${args.scale.length} and ${args.offset.length}`,
        );
      }
      this.scale = [...args.scale];
      this.offset = [...args.offset];
    }

    override build(inputShape: Shape | Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const channels = shape[shape.length - 1];
      if (channels !== this.scale.length) {
        throw new Error(
          `${PIXEL_NORMALIZATION_CLASS_NAME} has ${this.scale.length} channel(s) of constants, but its input's last axis is ${channels} (shape ${JSON.stringify(shape)})`,
        );
      }
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
      return inputShape;
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        // Three numbers per call: cheaper than keeping tensors alive that a layer cannot dispose.
        return tf.add(tf.mul(tf.cast(x, 'float32'), tf.tensor1d(this.scale)), tf.tensor1d(this.offset));
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), scale: [...this.scale], offset: [...this.offset] };
    }
  };
}
