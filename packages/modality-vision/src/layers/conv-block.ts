import { customLayers, hashSeed, PYTORCH_BATCH_NORM } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type Symbolic = tfjs.SymbolicTensor;

/** One convolution with what usually follows it, as the CNN and ResNet encoders describe it. */
export interface ConvSpec {
  readonly filters: number;
  readonly kernel: number;
  readonly stride: number;
  /** `same`, `valid`, or explicit zero padding on every side (PyTorch's `padding=n`). */
  readonly padding: 'same' | 'valid' | number;
  readonly bias: boolean;
  readonly batchNorm: boolean;
  /** tfjs activation identifier; `linear` adds no layer. */
  readonly activation: string;
}

export interface LayerNaming {
  /** Prefix of every layer name. */
  readonly name: string;
  readonly seed: number;
}

/** PyTorch BatchNorm2d's defaults (core's `PYTORCH_BATCH_NORM`), so ported architectures normalise the same way. */
export const BATCH_NORM = PYTORCH_BATCH_NORM;

/**
 * conv → (batch norm) → (activation). Integer padding that equals `(kernel - 1) / 2` at stride 1 is
 * exactly `same`; any other integer padding becomes a zero-padding layer before a `valid` conv, which
 * pads symmetrically like PyTorch (tfjs's `same` pads the extra row after, at stride 2).
 */
export function convBatchNormActivation(tf: Tf, x: Symbolic, spec: ConvSpec, at: LayerNaming): Symbolic {
  let padding: 'same' | 'valid';
  if (typeof spec.padding === 'string') padding = spec.padding;
  else if (spec.padding === 0) padding = 'valid';
  else if (spec.stride === 1 && 2 * spec.padding === spec.kernel - 1) padding = 'same';
  else {
    x = tf.layers.zeroPadding2d({ padding: spec.padding, name: `${at.name}/pad` }).apply(x) as Symbolic;
    padding = 'valid';
  }
  // core's Conv2D: on the first layer, no gradient for the image nothing uses.
  const { Conv2D } = customLayers(tf);
  x = new Conv2D({
    filters: spec.filters,
    kernelSize: spec.kernel,
    strides: spec.stride,
    padding,
    useBias: spec.bias,
    // Kaiming-uniform, as MultiBench initialises its convolutions.
    kernelInitializer: tf.initializers.heUniform({ seed: at.seed }),
    name: `${at.name}/conv`,
  }).apply(x) as Symbolic;
  if (spec.batchNorm) {
    x = tf.layers.batchNormalization({ ...BATCH_NORM, axis: -1, name: `${at.name}/bn` }).apply(x) as Symbolic;
  }
  return activation(tf, x, spec.activation, `${at.name}/${spec.activation}`);
}

/** An activation layer, or `x` itself for `linear`. */
export function activation(tf: Tf, x: Symbolic, name: string, layerName: string): Symbolic {
  if (name === 'linear') return x;
  return tf.layers
    .activation({
      activation: name as Parameters<Tf['layers']['activation']>[0]['activation'],
      name: layerName,
    })
    .apply(x) as Symbolic;
}

/** Max or average pooling with window = stride = `size` and no padding (floor, like PyTorch). */
export function pool2d(tf: Tf, x: Symbolic, kind: 'max' | 'avg', size: number, name: string): Symbolic {
  const args = { poolSize: size, strides: size, padding: 'valid' as const, name };
  return (kind === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)).apply(
    x,
  ) as Symbolic;
}

/** Core's seeded dropout (repeatable masks), or `x` itself at rate 0. */
export function seededDropout(tf: Tf, x: Symbolic, rate: number, at: LayerNaming): Symbolic {
  if (rate <= 0) return x;
  const { SeededDropout } = customLayers(tf);
  return new SeededDropout({ rate, seed: at.seed, name: at.name }).apply(x) as Symbolic;
}

/** Dense layers (Glorot-uniform, seeded) each followed by an activation and optional dropout. */
export function denseStack(
  tf: Tf,
  x: Symbolic,
  units: readonly number[],
  options: { activation: string; dropout: number },
  at: LayerNaming,
): Symbolic {
  units.forEach((n, i) => {
    x = tf.layers
      .dense({
        units: n,
        kernelInitializer: tf.initializers.glorotUniform({ seed: hashSeed(`${at.seed}:dense_${i}`) }),
        name: `${at.name}/dense_${i}`,
      })
      .apply(x) as Symbolic;
    x = activation(tf, x, options.activation, `${at.name}/dense_${i}_${options.activation}`);
    x = seededDropout(tf, x, options.dropout, {
      name: `${at.name}/dense_${i}_dropout`,
      seed: hashSeed(`${at.seed}:dense_${i}_dropout`),
    });
  });
  return x;
}

/** The static size of every non-batch axis of a symbolic tensor (the encoders know all of them). */
export function staticShape(x: Symbolic): number[] {
  return x.shape.slice(1).map((d) => {
    if (d === null) throw new Error(`unexpected unknown dimension in ${JSON.stringify(x.shape)}`);
    return d;
  });
}
