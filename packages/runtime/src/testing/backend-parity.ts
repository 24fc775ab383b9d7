import {
  type BackendChoice,
  createRng,
  type EncoderPluginV1,
  type FusionPluginV1,
  type ReadMedia,
} from '@omnifuse/core';
import {
  buildEncoder,
  buildMockFusion,
  defaultReadMedia,
  type FittedEncoder,
  fitOnSamples,
  lazy,
  type MockBatch,
  mockBatchTensors,
  mockModalities,
  randomMockBatch,
  stackFeatures,
  type Tf,
} from '@omnifuse/core/testing';
import type * as tfjs from '@tensorflow/tfjs';
import { describe, expect, it, type TestContext } from 'vitest';
import { type SelectedBackend, selectBackend } from '../backends/select-backend.js';

export interface ParityTolerance {
  /** Largest allowed `|loss_ref - loss_cand| / (|loss_ref| + 1e-6)`; default 1e-5. */
  readonly loss?: number;
  /** Largest allowed {@link scaledMaxDifference} of any trainable weight's gradient; default 1e-3. */
  readonly gradients?: number;
}

export interface ParityBackends {
  /** omnifuse backend name (see `selectBackend`) the reference step runs on; default `cpu`. */
  readonly reference?: string;
  /** Backend compared with the reference; default `webgpu`. */
  readonly candidate?: string;
  readonly tolerance?: ParityTolerance;
  readonly seed?: number;
  /** Per-test timeout in ms; default 60 000. */
  readonly timeout?: number;
  /** Skips the suite; the reason shows in the test name (tfjs's style: an explicit, reasoned list). */
  readonly skip?: string;
}

export interface EncoderParityOptions<Raw, State> extends ParityBackends {
  readonly plugin: EncoderPluginV1<Raw, State>;
  /** Options passed to `plugin.create`; randomness in training (dropout, noise) must be off. */
  readonly options?: unknown;
  /** Fitted on, then the batch of the step. At least two; keep them few and small. */
  readonly samples: readonly Raw[];
  readonly readMedia?: ReadMedia;
  readonly field?: string;
}

export interface FusionParityOptions extends ParityBackends {
  readonly plugin: FusionPluginV1;
  /** Options passed to `plugin.create`; modality dropout must be off. */
  readonly options?: unknown;
  /** Adds the masked sequence modality of the fusion conformance kit's mock encoders. */
  readonly acceptsSequences?: boolean;
}

/** What one step gave on both backends; the kit logs it, one line per suite. */
export interface ParityReport {
  readonly reference: string;
  readonly candidate: string;
  readonly loss: { readonly reference: number; readonly candidate: number; readonly difference: number };
  /** Per trainable weight (in model order), the {@link scaledMaxDifference} of its gradients. */
  readonly gradients: readonly { readonly weight: string; readonly difference: number }[];
}

export const DEFAULT_PARITY_TOLERANCE: Required<ParityTolerance> = { loss: 1e-5, gradients: 1e-3 };

const PREFIX = 'parity';
const CLASSES = 3;
const BATCH = 4;

/**
 * `max_i |a_i - b_i| / max(max_i |a_i|, floor)`: the largest difference in units of the reference
 * tensor's largest entry, so entries near zero (where float32 rounding is all there is) do not
 * dominate. `floor` keeps a gradient that is zero in exact arithmetic (a key bias under softmax) from
 * being measured against its own rounding noise; the kit passes 1e-3 of the model's largest gradient
 * entry. Infinity when lengths differ or a NaN shows up.
 */
export function scaledMaxDifference(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let scale = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    max = Math.max(max, d);
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  return max / Math.max(scale, floor);
}

/**
 * Registers a test that runs one training step of an encoder (with a dense softmax head) on the
 * reference backend and on the candidate, from the same initial weights, and compares the
 * cross-entropy loss and every trainable weight's gradient. Layers run with `training: true`
 * (batch norm on batch statistics), so dropout and noise must be off: the kit checks that two
 * reference steps agree exactly. If the candidate cannot be activated the test is skipped, or fails
 * when `process.env.CI` is set.
 */
export function describeEncoderParity<Raw, State>(
  name: string,
  config: EncoderParityOptions<Raw, State>,
): void {
  const field = config.field ?? 'parity_field';
  const seed = config.seed ?? 1234;
  const fitted = lazy(() =>
    fitOnSamples({
      plugin: config.plugin,
      options: config.options,
      samples: config.samples,
      field,
      readMedia: config.readMedia ?? defaultReadMedia,
    }),
  );
  describeParity(name, config.plugin.id, config, async (tf) => {
    const f: FittedEncoder<Raw, State> = await fitted();
    const { input, encoded } = buildEncoder(tf, f, PREFIX, seed);
    // Sequences are flattened into the head, so every position's output reaches the loss.
    const pooled =
      encoded.kind === 'sequence'
        ? (tf.layers.flatten({ name: `${PREFIX}_flatten` }).apply(encoded.output) as tfjs.SymbolicTensor)
        : encoded.output;
    const model = tf.model({ inputs: input, outputs: head(tf, pooled, seed), name: `${PREFIX}_model` });
    return { model, inputs: [stackFeatures(tf, f.features)], batch: f.features.length };
  });
}

/**
 * {@link describeEncoderParity} for a fusion method, over the fusion conformance kit's trainable
 * mock encoders, on a batch of four rows in which rows 0..M-1 each miss one modality (presence 0).
 */
export function describeFusionParity(name: string, config: FusionParityOptions): void {
  const seed = config.seed ?? 1234;
  const modalities = mockModalities(config.acceptsSequences === true);
  const random = randomMockBatch(createRng(seed), modalities, BATCH);
  const batch: MockBatch = {
    ...random,
    presence: modalities.map((_, k) => Float32Array.from({ length: BATCH }, (_, row) => (row === k ? 0 : 1))),
  };
  describeParity(name, config.plugin.id, config, async (tf) => {
    const { inputs, fused } = buildMockFusion(tf, config, modalities, PREFIX, seed);
    const model = tf.model({ inputs, outputs: head(tf, fused.output, seed), name: `${PREFIX}_model` });
    return { model, inputs: mockBatchTensors(tf, modalities, batch), batch: BATCH };
  });
}

/** A model on the current backend and the batch it takes, made afresh on each backend. */
type MakeModel = (tf: Tf) => Promise<{ model: tfjs.LayersModel; inputs: tfjs.Tensor[]; batch: number }>;

interface StepResult {
  loss: number;
  grads: (Float32Array | null)[];
  names: string[];
}

function describeParity(name: string, pluginId: string, config: ParityBackends, make: MakeModel): void {
  const reference = config.reference ?? 'cpu';
  const candidate = config.candidate ?? 'webgpu';
  const tolerance = { ...DEFAULT_PARITY_TOLERANCE, ...config.tolerance };
  describe(`${name}: backend parity, ${candidate} vs ${reference} (${pluginId})`, () => {
    if (config.skip) {
      it.skip(`one training step (skipped: ${config.skip})`, () => {});
      return;
    }
    it(
      `one training step gives the loss within ${tolerance.loss} and gradients within ${tolerance.gradients}`,
      async (ctx) => {
        const unavailable = await unavailableReason(candidate, reference);
        if (unavailable) skipOrFail(ctx, candidate, unavailable);

        const ref = await useBackend(reference);
        const built = await make(ref);
        const initial = await readWeights(built.model);
        const expected = await trainingStep(ref, built.model, built.inputs, built.batch);
        const again = await trainingStep(ref, built.model, built.inputs, built.batch);
        ref.dispose([...built.inputs]);
        built.model.dispose();
        expect(
          again.loss,
          'two reference steps differ: turn off dropout, noise and modality dropout for parity',
        ).toBe(expected.loss);

        let actual: StepResult;
        try {
          const cand = await useBackend(candidate);
          const other = await make(cand);
          expect(
            other.model.weights.map((w) => w.shape),
            'the candidate build has other weights',
          ).toEqual(initial.map((w) => w.shape));
          other.model.setWeights(initial.map((w) => cand.tensor(w.values, w.shape, w.dtype)));
          actual = await trainingStep(cand, other.model, other.inputs, other.batch);
          cand.dispose([...other.inputs]);
          other.model.dispose();
        } finally {
          await useBackend(reference);
        }

        const report = compare(reference, candidate, expected, actual);
        const worst = report.gradients.reduce((a, b) => (b.difference > a.difference ? b : a), {
          weight: '(none)',
          difference: 0,
        });
        console.info(
          `[parity] ${name} [${pluginId}], ${candidate} vs ${reference}: loss ${fmt(report.loss.difference)}, ` +
            `worst gradient ${fmt(worst.difference)} (${worst.weight}), ${report.gradients.length} weights`,
        );
        expect(
          report.loss.difference,
          `loss ${report.loss.reference} vs ${report.loss.candidate}`,
        ).toBeLessThan(tolerance.loss);
        const over = report.gradients.filter((g) => !(g.difference <= tolerance.gradients));
        expect(over, 'weights whose gradients differ by more than the tolerance').toEqual([]);
      },
      config.timeout ?? 60_000,
    );
  });
}

/** A seeded dense softmax head, so the loss is a classifier's cross-entropy. */
function head(tf: Tf, features: tfjs.SymbolicTensor, seed: number): tfjs.SymbolicTensor {
  return tf.layers
    .dense({
      units: CLASSES,
      name: `${PREFIX}_head`,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 7 }),
    })
    .apply(features) as tfjs.SymbolicTensor;
}

async function readWeights(model: tfjs.LayersModel) {
  const out = [];
  for (const w of model.weights) {
    const value = w.read();
    out.push({ shape: value.shape, dtype: value.dtype, values: (await value.data()).slice() });
  }
  return out;
}

/** Cross-entropy of the logits against fixed one-hot targets (row i is class i mod 3), and its gradients. */
async function trainingStep(
  tf: Tf,
  model: tfjs.LayersModel,
  inputs: tfjs.Tensor[],
  batch: number,
): Promise<StepResult> {
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % CLASSES),
      'int32',
    ),
    CLASSES,
  );
  const weights = model.trainableWeights;
  const variables = weights.map((w) => w.read() as tfjs.Variable);
  const { value, grads } = tf.variableGrads(
    () =>
      tf.tidy(() => {
        const logits = model.apply(inputs.length === 1 ? inputs[0]! : inputs, {
          training: true,
        }) as tfjs.Tensor;
        return tf.losses.softmaxCrossEntropy(labels, logits) as tfjs.Scalar;
      }),
    variables,
  );
  // data(), never dataSync(): webgpu in Node cannot read synchronously.
  const loss = (await value.data())[0]!;
  const out: (Float32Array | null)[] = [];
  for (const v of variables) {
    const grad = grads[v.name];
    out.push(grad ? ((await grad.data()) as Float32Array).slice() : null);
  }
  tf.dispose([value, labels, ...Object.values(grads)]);
  return { loss, grads: out, names: weights.map((w) => w.originalName) };
}

function compare(reference: string, candidate: string, a: StepResult, b: StepResult): ParityReport {
  let largest = 0;
  for (const grad of a.grads) if (grad) for (const v of grad) largest = Math.max(largest, Math.abs(v));
  const floor = Math.max(1e-3 * largest, 1e-6);
  return {
    reference,
    candidate,
    loss: {
      reference: a.loss,
      candidate: b.loss,
      difference: Math.abs(a.loss - b.loss) / (Math.abs(a.loss) + 1e-6),
    },
    gradients: a.names.map((weight, i) => {
      const x = a.grads[i];
      const y = b.grads[i];
      // A weight the loss does not reach must be unreached on both.
      const difference = x && y ? scaledMaxDifference(x, y, floor) : x === y ? 0 : Number.POSITIVE_INFINITY;
      return { weight, difference };
    }),
  };
}

const activated = new Map<string, Promise<SelectedBackend>>();

/**
 * Makes the backend current. `selectBackend` runs once per backend and process (a second Dawn
 * instance for webgpu can abort the process); later switches are tfjs's own `setBackend`.
 */
async function useBackend(name: string): Promise<Tf> {
  let selected = activated.get(name);
  if (!selected) {
    selected = selectBackend(name as BackendChoice);
    activated.set(name, selected);
  }
  const { tf, tfjsBackend } = await selected;
  if (tf.getBackend() !== tfjsBackend) {
    if (!(await tf.setBackend(tfjsBackend)))
      throw new Error(`tfjs could not switch back to "${tfjsBackend}"`);
    await tf.ready();
  }
  return tf;
}

/** Why the candidate cannot be activated (null when it can); the reference is current afterwards. */
async function unavailableReason(candidate: string, reference: string): Promise<string | null> {
  try {
    await useBackend(candidate);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await useBackend(reference);
  }
}

/** Locally a missing backend is a skip; in CI, which installs what it needs, a failure. */
function skipOrFail(ctx: TestContext, candidate: string, reason: string): never {
  const message = `backend "${candidate}" cannot be activated: ${reason}`;
  if (process.env.CI) throw new Error(`${message} (CI must provide it)`);
  return ctx.skip(message);
}

function fmt(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}
