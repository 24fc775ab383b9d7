import type * as tfjs from '@tensorflow/tfjs';
import { featureArrayType, tensorDTypeOf } from '../feature-arrays.js';
import type { Feature } from '../spec/feature.js';

/** The tfjs namespace, as a plugin receives it in its build context. */
export type Tf = typeof tfjs;

export interface TfChoice {
  /** tfjs namespace to use; default: `import('@tensorflow/tfjs')` on the cpu backend. */
  readonly tf?: Tf;
  /** Backend to switch to; default `cpu` when `tf` is not given, else the namespace's current one. */
  readonly backend?: string;
}

/** Imports tfjs lazily, so that merely importing the kit never loads (or duplicates) it. */
export async function loadTf(choice: TfChoice): Promise<Tf> {
  const tf = choice.tf ?? ((await import('@tensorflow/tfjs')) as Tf);
  const backend = choice.backend ?? (choice.tf ? undefined : 'cpu');
  if (backend && tf.getBackend() !== backend) {
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`tfjs backend "${backend}" failed to initialise`);
  }
  await tf.ready();
  return tf;
}

/** `[n, ...shape]` batch of features. */
export function stackFeatures(tf: Tf, features: readonly Feature[]): tfjs.Tensor {
  const first = features[0]!;
  const size = first.data.length;
  const data = new (featureArrayType(first.dtype))(size * features.length);
  for (const [i, f] of features.entries()) data.set(f.data, i * size);
  return tf.tensor(data, [features.length, ...first.shape], tensorDTypeOf(first.dtype));
}

/** Runs a model and returns each output's values and shape; disposes what it made. */
export async function predictValues(
  model: tfjs.LayersModel,
  inputs: tfjs.Tensor | tfjs.Tensor[],
): Promise<{ values: Float32Array | Int32Array | Uint8Array; shape: number[] }[]> {
  const result = model.predict(inputs);
  const outputs = Array.isArray(result) ? result : [result];
  const out = [];
  for (const tensor of outputs) {
    out.push({ values: (await tensor.data()) as Float32Array, shape: tensor.shape.slice() });
    tensor.dispose();
  }
  return out;
}

/** Largest `|a - b| / (1 + |a|)`; Infinity when lengths differ or a NaN shows up. */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / (1 + Math.abs(a[i]!));
    if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return max;
}

export function countNonFinite(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) count++;
  return count;
}

/** Saves a model to memory through the same path `model.save(...)` to disk takes. */
export async function saveToMemory(tf: Tf, model: tfjs.LayersModel): Promise<tfjs.io.ModelArtifacts> {
  let saved: tfjs.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

/** Loads saved weights into a model built separately; strict, so every weight must match by name. */
export function loadSavedWeights(tf: Tf, model: tfjs.LayersModel, artifacts: tfjs.io.ModelArtifacts): void {
  if (!artifacts.weightSpecs || artifacts.weightSpecs.length === 0) return;
  const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs);
  try {
    model.loadWeights(weights, true);
  } finally {
    tf.dispose(Object.values(weights));
  }
}

export interface GradientReport {
  /** Trainable weights the loss does not reach. */
  readonly unconnected: string[];
  /** Weights whose gradient has a NaN or infinity. */
  readonly nonFinite: string[];
  /** Weights whose gradient has a non-zero entry. */
  readonly nonZero: string[];
  readonly trainable: string[];
}

/**
 * Gradients of a scalar loss (squared distance of every output to a fixed random target) with
 * respect to the model's trainable weights, in training mode.
 */
export function gradientReport(
  tf: Tf,
  model: tfjs.LayersModel,
  inputs: tfjs.Tensor | tfjs.Tensor[],
  seed: number,
): GradientReport {
  const weights = model.trainableWeights;
  const trainable = weights.map((w) => w.originalName);
  if (weights.length === 0) return { unconnected: [], nonFinite: [], nonZero: [], trainable };
  const variables = weights.map((w) => w.read() as tfjs.Variable);
  const loss = () =>
    tf.tidy(() => {
      const result = model.apply(inputs, { training: true }) as tfjs.Tensor | tfjs.Tensor[];
      const outputs = Array.isArray(result) ? result : [result];
      const terms = outputs.map((output, i) => {
        const target = tf.randomNormal(output.shape, 0, 1, 'float32', seed + i);
        return tf.mean(tf.square(tf.sub(tf.cast(output, 'float32'), target)));
      });
      return tf.addN(terms) as tfjs.Scalar;
    });
  let computed: { value: tfjs.Scalar; grads: tfjs.NamedTensorMap };
  try {
    computed = tf.variableGrads(loss, variables);
  } catch (error) {
    // tfjs refuses outright when no weight at all reaches the loss.
    if (/Cannot find a connection/.test((error as Error).message)) {
      return { unconnected: trainable, nonFinite: [], nonZero: [], trainable };
    }
    throw error;
  }
  const { value, grads } = computed;
  const report: GradientReport = { unconnected: [], nonFinite: [], nonZero: [], trainable };
  weights.forEach((weight, i) => {
    const grad = grads[variables[i]!.name];
    if (!grad) {
      report.unconnected.push(weight.originalName);
      return;
    }
    const values = grad.dataSync();
    if (countNonFinite(values) > 0) report.nonFinite.push(weight.originalName);
    if (values.some((v) => v !== 0)) report.nonZero.push(weight.originalName);
  });
  value.dispose();
  tf.dispose(Object.values(grads));
  return report;
}

export function sameBytes(a: Feature, b: Feature): boolean {
  if (a.dtype !== b.dtype || a.data.constructor !== b.data.constructor) return false;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** A promise made on first use, so one failing step fails the tests that need it, not the file. */
export function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= make();
    return promise;
  };
}
