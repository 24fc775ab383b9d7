import type * as tfTypes from '@tensorflow/tfjs';
import { z } from 'zod';
import { hashSeed } from '../rng.js';
import { customLayers } from './layers.js';

/** Activations a dense layer or conv block may use (tfjs identifiers). */
export const layerActivationSchema = z.enum([
  'relu',
  'relu6',
  'elu',
  'selu',
  'gelu',
  'swish',
  'tanh',
  'sigmoid',
  'linear',
]);
export type LayerActivation = z.output<typeof layerActivationSchema>;

/** An encoder's defaults for {@link projectionOptionsSchema}; without `units`, units are required. */
export interface ProjectionDefaults {
  readonly units?: number;
  /** Default `relu`. */
  readonly activation?: LayerActivation;
  /** Default 0 (none). */
  readonly dropout?: number;
}

const unitsSchema = z.number().int().positive();

/**
 * Options of an encoder's optional dense projection head: `units`, `activation` and a training-only
 * `dropout` (where the dropout sits is the encoder's choice, see {@link applyProjection}).
 */
export function projectionOptionsSchema<const Defaults extends ProjectionDefaults = ProjectionDefaults>(
  defaults: Defaults = {} as Defaults,
) {
  const units = defaults.units === undefined ? unitsSchema : unitsSchema.default(defaults.units);
  return z.strictObject({
    units: units as Defaults['units'] extends number ? z.ZodDefault<typeof unitsSchema> : typeof unitsSchema,
    activation: layerActivationSchema.default(defaults.activation ?? 'relu'),
    dropout: z
      .number()
      .min(0)
      .max(0.95)
      .default(defaults.dropout ?? 0),
  });
}

/** A parsed projection head; `units: null` keeps the features' size (dropout only, if any). */
export interface ProjectionOptions {
  readonly units: number | null;
  readonly activation: LayerActivation;
  readonly dropout: number;
}

export type ProjectionNaming = {
  /** The encoder's layer-name prefix; layers are `${name}/${label}`. */
  readonly name: string;
  /** Layer labels (the last part of each name, and what its seed is derived from). */
  readonly labels?: { readonly dense: string; readonly dropout: string };
  /** `input` (default): dropout on the incoming features, before the dense layer; `output`: after it. */
  readonly dropoutAt?: 'input' | 'output';
  /**
   * Without a dense layer, add a linear `${name}/identity` layer so the encoder's output is a layer
   * of its own (default false: the input comes back as it is).
   */
  readonly identity?: boolean;
} & (
  | { /** The build seed; a layer's seed is `hashSeed(`${seed}:${label}`)`. */ readonly seed: number }
  | { /** A layer's seed from its label. */ readonly seedFor: (label: string) => number }
);

const DEFAULT_LABELS = { dense: 'projection', dropout: 'dropout' } as const;

/**
 * The optional dense projection an encoder puts on its features: a dense layer (glorot-uniform kernel
 * seeded from its label) and a seeded dropout. `null` options add nothing but the identity layer
 * when asked for. Layer names and seeds depend only on `naming`, so saved bundles keep loading.
 */
export function applyProjection(
  tf: typeof tfTypes,
  input: tfTypes.SymbolicTensor,
  options: ProjectionOptions | null,
  naming: ProjectionNaming,
): tfTypes.SymbolicTensor {
  const { name, labels = DEFAULT_LABELS, dropoutAt = 'input' } = naming;
  const seedFor =
    'seedFor' in naming ? naming.seedFor : (label: string) => hashSeed(`${naming.seed}:${label}`);
  const dropout = (x: tfTypes.SymbolicTensor): tfTypes.SymbolicTensor => {
    if (!options || options.dropout <= 0) return x;
    const { SeededDropout } = customLayers(tf);
    return new SeededDropout({
      rate: options.dropout,
      seed: seedFor(labels.dropout),
      name: `${name}/${labels.dropout}`,
    }).apply(x) as tfTypes.SymbolicTensor;
  };

  let x = dropoutAt === 'input' ? dropout(input) : input;
  if (options && options.units !== null) {
    x = tf.layers
      .dense({
        units: options.units,
        activation: options.activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(labels.dense) }),
        name: `${name}/${labels.dense}`,
      })
      .apply(x) as tfTypes.SymbolicTensor;
  } else if (naming.identity) {
    x = tf.layers
      .activation({ activation: 'linear', name: `${name}/identity` })
      .apply(x) as tfTypes.SymbolicTensor;
  }
  return dropoutAt === 'output' ? dropout(x) : x;
}
