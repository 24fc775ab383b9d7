import type * as tf from '@tensorflow/tfjs';
import type { EncodedOutput } from './encoder.js';
import type { Modality } from './feature.js';

/** One encoded modality as fusion sees it. */
export interface FusionInput {
  /** Field name. */
  readonly name: string;
  readonly modality: Modality;
  readonly encoded: EncodedOutput;
  /** `[batch, 1]` float: 1 where the modality is present in the example, 0 where it is missing. */
  readonly presence: tf.SymbolicTensor;
}

export interface FusionBuildContext {
  readonly tf: typeof tf;
  readonly inputs: readonly FusionInput[];
  /** Prefix for layer names. */
  readonly name: string;
  readonly seed: number;
}

export interface FusedOutput {
  /** `[batch, dim]`. */
  readonly output: tf.SymbolicTensor;
  readonly dim: number;
  /** `[batch, inputs.length]` per-example modality weights, in `inputs` order, where the method has them. */
  readonly weights?: tf.SymbolicTensor;
}

/** A configured fusion method: several encoded modalities in, one vector out. */
export interface FusionV1 {
  readonly specificationVersion: 'v1';
  /** Plugin id, `fusion:name`, e.g. `fusion:concat`. */
  readonly id: string;
  readonly version: string;
  readonly options: Readonly<Record<string, unknown>>;
  build(context: FusionBuildContext): FusedOutput;
}

export interface FusionPluginV1 {
  readonly specificationVersion: 'v1';
  readonly kind: 'fusion';
  readonly id: string;
  readonly packageName?: string;
  readonly description?: string;
  create(options?: unknown): FusionV1;
}
