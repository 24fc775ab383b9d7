import type * as tfjs from '@tensorflow/tfjs';
import type { EncodedOutput } from '../spec/encoder.js';
import type { FusedOutput, FusionInput, FusionPluginV1 } from '../spec/fusion.js';
import type { Rng } from '../spec/rng.js';
import type { Tf } from './tf-helpers.js';

// What the fusion kits share: mock encoded inputs (trainable stand-ins for encoders) and batches for them.

/** Sequence length of the mock sequence modality. */
export const MOCK_LENGTH = 4;

export interface MockModality {
  readonly key: string;
  readonly kind: 'vector' | 'sequence';
  /** Per-example input shape of the mock encoder. */
  readonly shape: readonly number[];
  /** Width of the mock encoder's output. */
  readonly dim: number;
}

/** Values per modality, the sequence mask, and presence per modality, all flat row-major. */
export interface MockBatch {
  readonly size: number;
  readonly values: Float32Array[];
  readonly mask: Float32Array | null;
  readonly presence: Float32Array[];
}

/** Two vectors of different widths, plus a masked sequence when the fusion accepts sequences. */
export function mockModalities(acceptsSequences: boolean): MockModality[] {
  return [
    { key: 'a', kind: 'vector', shape: [3], dim: 4 },
    { key: 'b', kind: 'vector', shape: [5], dim: 6 },
    ...(acceptsSequences ? [{ key: 'c', kind: 'sequence', shape: [MOCK_LENGTH, 3], dim: 5 } as const] : []),
  ];
}

export interface MockFusion {
  /** Value inputs per modality, then the mask (if any), then presence per modality. */
  readonly inputs: tfjs.SymbolicTensor[];
  readonly fused: FusedOutput;
}

/** The fusion over mock encoders: each a seeded dense tanh layer named `mock_<key>_dense`. */
export function buildMockFusion(
  tf: Tf,
  config: { readonly plugin: FusionPluginV1; readonly options?: unknown },
  modalities: readonly MockModality[],
  name: string,
  seed: number,
): MockFusion {
  const sequence = modalities.some((m) => m.kind === 'sequence');
  const valueInputs = modalities.map((m) => tf.input({ shape: [...m.shape], name: `mock_${m.key}_values` }));
  const maskInput = sequence ? tf.input({ shape: [MOCK_LENGTH], name: 'mock_mask' }) : null;
  const presenceInputs = modalities.map((m) => tf.input({ shape: [1], name: `mock_${m.key}_presence` }));
  const inputs: FusionInput[] = modalities.map((m, i) => {
    // A trainable stand-in for an encoder, so gradient checks can see what reaches each modality.
    const output = tf.layers
      .dense({
        units: m.dim,
        activation: 'tanh',
        name: `mock_${m.key}_dense`,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 100 + i }),
      })
      .apply(valueInputs[i]!) as tfjs.SymbolicTensor;
    const encoded: EncodedOutput =
      m.kind === 'vector'
        ? { kind: 'vector', output, dim: m.dim }
        : { kind: 'sequence', output, mask: maskInput, length: MOCK_LENGTH, dim: m.dim };
    return {
      name: `field_${m.key}`,
      modality: m.kind === 'vector' ? 'vector' : 'text',
      encoded,
      presence: presenceInputs[i]!,
    };
  });
  const fused = config.plugin.create(config.options).build({ tf, inputs, name, seed });
  return { inputs: [...valueInputs, ...(maskInput ? [maskInput] : []), ...presenceInputs], fused };
}

/** The batch as tensors, in the order of {@link MockFusion.inputs}. */
export function mockBatchTensors(
  tf: Tf,
  modalities: readonly MockModality[],
  batch: MockBatch,
): tfjs.Tensor[] {
  return [
    ...modalities.map((m, i) => tf.tensor(batch.values[i]!, [batch.size, ...m.shape])),
    ...(batch.mask ? [tf.tensor(batch.mask, [batch.size, MOCK_LENGTH])] : []),
    ...batch.presence.map((p) => tf.tensor(p, [batch.size, 1])),
  ];
}

/** Normal values, every modality present; rows have 1..MOCK_LENGTH real sequence positions. */
export function randomMockBatch(rng: Rng, modalities: readonly MockModality[], size: number): MockBatch {
  const sequence = modalities.some((m) => m.kind === 'sequence');
  return {
    size,
    values: modalities.map((m) => normals(rng, size * m.shape.reduce((a, b) => a * b, 1))),
    // Some rows have padding and (from MOCK_LENGTH rows on) one has none.
    mask: sequence
      ? Float32Array.from({ length: size * MOCK_LENGTH }, (_, j) =>
          j % MOCK_LENGTH <= Math.floor(j / MOCK_LENGTH) % MOCK_LENGTH ? 1 : 0,
        )
      : null,
    presence: modalities.map(() => new Float32Array(size).fill(1)),
  };
}

export function normals(rng: Rng, length: number): Float32Array {
  return Float32Array.from({ length }, () => rng.normal());
}
