// Small plugins for the compose and bundle tests (not exported from the package): a dense vector
// encoder, an embedding sequence encoder with a padding mask, and a fusion method with weights.
import type * as tfTypes from '@tensorflow/tfjs';
import { hashSeed } from '../rng.js';
import type { EncoderPluginV1, EncoderV1 } from '../spec/encoder.js';
import type { FusionPluginV1, FusionV1 } from '../spec/fusion.js';
import { defineLayers } from './define-layers.js';

type Tf = typeof tfTypes;
type SymbolicTensor = tfTypes.SymbolicTensor;

export interface VectorState {
  readonly dim: number;
  readonly mean: number[];
}

export function createTestVectorEncoder(options: { units?: number } = {}): EncoderV1<number[], VectorState> {
  const units = options.units ?? 8;
  return {
    specificationVersion: 'v1',
    id: 'test:vector',
    modality: 'vector',
    version: '1',
    options: { units },
    fit(values) {
      const dim = values[0]!.length;
      const mean = new Array<number>(dim).fill(0);
      for (const v of values) for (let i = 0; i < dim; i++) mean[i]! += v[i]! / values.length;
      return { dim, mean };
    },
    preprocess(raw, state) {
      if (!Array.isArray(raw) || raw.length !== state.dim) throw new Error(`expected ${state.dim} numbers`);
      return {
        dtype: 'float32',
        shape: [state.dim],
        data: Float32Array.from(raw, (x, i) => x - state.mean[i]!),
      };
    },
    featureSpec: (state) => ({ dtype: 'float32', shape: [state.dim] }),
    build({ tf, input, name, seed }) {
      const output = tf.layers
        .dense({
          units,
          activation: 'relu',
          name: `${name}/dense`,
          kernelInitializer: tf.initializers.glorotUniform({ seed }),
        })
        .apply(input) as SymbolicTensor;
      return { kind: 'vector', output, dim: units };
    },
  };
}

export const testVectorEncoderPlugin: EncoderPluginV1<number[], VectorState> = {
  specificationVersion: 'v1',
  kind: 'encoder',
  id: 'test:vector',
  modality: 'vector',
  packageName: '@omnifuse/test-vector',
  create: (options) => createTestVectorEncoder(options as { units?: number }),
};

export interface TokenState {
  readonly vocabulary: string[];
  readonly length: number;
}

const maskLayers = defineLayers((tf) => {
  /** A layer computing `x != 0` as float, the padding mask of token ids. */
  class NonZeroMask extends tf.layers.Layer {
    static className = 'TestNonZeroMask';
    override computeOutputShape(shape: (number | null)[]): (number | null)[] {
      return shape;
    }
    override call(inputs: tfTypes.Tensor | tfTypes.Tensor[]): tfTypes.Tensor {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.tidy(() => tf.cast(tf.notEqual(x, 0), 'float32'));
    }
  }
  return { NonZeroMask };
});

function nonZeroMask(tf: Tf, name: string): tfTypes.layers.Layer {
  const { NonZeroMask } = maskLayers(tf);
  return new NonZeroMask({ name });
}

export function createTestTokenEncoder(
  options: { dim?: number; length?: number } = {},
): EncoderV1<string, TokenState> {
  const dim = options.dim ?? 4;
  const length = options.length ?? 5;
  return {
    specificationVersion: 'v1',
    id: 'test:tokens',
    modality: 'text',
    version: '1',
    options: { dim, length },
    fit(values) {
      const words = new Set<string>();
      for (const v of values) for (const w of v.split(/\s+/)) if (w) words.add(w);
      return { vocabulary: [...words].sort(), length };
    },
    preprocess(raw, state) {
      const ids = new Int32Array(state.length);
      raw
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, state.length)
        .forEach((w, i) => {
          ids[i] = state.vocabulary.indexOf(w) + 2; // 0 = padding, 1 = unknown (indexOf -1)
        });
      return { dtype: 'int32', shape: [state.length], data: ids };
    },
    featureSpec: (state) => ({ dtype: 'int32', shape: [state.length] }),
    build({ tf, input, state, name, seed }) {
      const output = tf.layers
        .embedding({
          inputDim: state.vocabulary.length + 2,
          outputDim: dim,
          name: `${name}/embedding`,
          embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed }),
        })
        .apply(input) as SymbolicTensor;
      const mask = nonZeroMask(tf, `${name}/mask`).apply(input) as SymbolicTensor;
      return { kind: 'sequence', output, mask, length: state.length, dim };
    },
  };
}

export const testTokenEncoderPlugin: EncoderPluginV1<string, TokenState> = {
  specificationVersion: 'v1',
  kind: 'encoder',
  id: 'test:tokens',
  modality: 'text',
  packageName: '@omnifuse/test-tokens',
  create: (options) => createTestTokenEncoder(options as { dim?: number; length?: number }),
};

/** Concatenates mean-pooled inputs and reports softmax weights from a small gate. */
export function createTestGatedFusion(): FusionV1 {
  return {
    specificationVersion: 'v1',
    id: 'fusion:test-gated',
    version: '1',
    options: {},
    build({ tf, inputs, name, seed }) {
      // Field names need not be valid tfjs names, so layer names use the input's position.
      const vectors = inputs.map((input, i) => {
        const encoded = input.encoded;
        const vector =
          encoded.kind === 'vector'
            ? encoded.output
            : (tf.layers
                .globalAveragePooling1d({ name: `${name}/pool_${i}` })
                .apply(encoded.output) as SymbolicTensor);
        return tf.layers
          .multiply({ name: `${name}/gate_${i}` })
          .apply([vector, input.presence]) as SymbolicTensor;
      });
      const dim = inputs.reduce((sum, input) => sum + input.encoded.dim, 0);
      const output =
        vectors.length === 1
          ? vectors[0]!
          : (tf.layers.concatenate({ name: `${name}/concat` }).apply(vectors) as SymbolicTensor);
      const weights = tf.layers
        .dense({
          units: inputs.length,
          activation: 'softmax',
          name: `${name}/weights`,
          kernelInitializer: tf.initializers.glorotUniform({ seed: hashSeed(`${seed}:weights`) }),
        })
        .apply(output) as SymbolicTensor;
      return { output, dim, weights };
    },
  };
}

export const testGatedFusionPlugin: FusionPluginV1 = {
  specificationVersion: 'v1',
  kind: 'fusion',
  id: 'fusion:test-gated',
  packageName: '@omnifuse/test-gated',
  create: () => createTestGatedFusion(),
};
