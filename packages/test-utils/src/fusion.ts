// Helpers for fusion plugins' tests: a fusion over plain vector inputs, built and run on the cpu
// backend. On their own subpath, so tests that only need the data helpers do not load tfjs.
import type { FusionInput, FusionPluginV1 } from '@omnifuse/core';
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;

/** tfjs on the cpu backend, ready. */
export async function loadCpuTf(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  return tf;
}

/** A model over vector inputs of the given widths (fed straight to the fusion) and their presences. */
export async function buildVectorFusion(
  plugin: FusionPluginV1,
  options: unknown,
  widths: readonly number[],
  seed = 7,
): Promise<{ tf: Tf; model: tfjs.LayersModel }> {
  const tf = await loadCpuTf();
  const values = widths.map((w, i) => tf.input({ shape: [w], name: `v${i}` }));
  const presences = widths.map((_, i) => tf.input({ shape: [1], name: `p${i}` }));
  const inputs: FusionInput[] = widths.map((w, i) => ({
    name: `f${i}`,
    modality: 'vector',
    encoded: { kind: 'vector', output: values[i]!, dim: w },
    presence: presences[i]!,
  }));
  const fused = plugin.create(options).build({ tf, inputs, name: 'fusion', seed });
  const outputs = fused.weights ? [fused.output, fused.weights] : [fused.output];
  return { tf, model: tf.model({ inputs: [...values, ...presences], outputs }) };
}

/** Runs the model on `values[m]` (rows × widths[m], flat) and `presence[m]` (per row). */
export async function predict(
  tf: Tf,
  model: tfjs.LayersModel,
  widths: readonly number[],
  values: readonly (readonly number[])[],
  presence: readonly (readonly number[])[],
): Promise<{ output: Float32Array; weights: Float32Array | null }> {
  const rows = presence[0]!.length;
  const xs = [
    ...widths.map((w, i) => tf.tensor2d([...values[i]!], [rows, w])),
    ...presence.map((p) => tf.tensor2d([...p], [rows, 1])),
  ];
  const result = model.predict(xs);
  const [output, weights] = Array.isArray(result) ? result : [result];
  const out = {
    output: (await output!.data()) as Float32Array,
    weights: weights ? ((await weights.data()) as Float32Array) : null,
  };
  tf.dispose([...xs, output!, ...(weights ? [weights] : [])]);
  return out;
}

/**
 * For the gradient check: the fusion over inputs `[a [b, d_a], c [b, d_c], presence_a, presence_c]`
 * (two vector modalities and their presences).
 */
export function fusionOf(tf: Tf, plugin: FusionPluginV1, options: unknown) {
  return ([a, c, pa, pc]: tfjs.SymbolicTensor[]): tfjs.SymbolicTensor => {
    const inputs: FusionInput[] = [a!, c!].map((output, i) => ({
      name: `f${i}`,
      modality: 'vector',
      encoded: { kind: 'vector', output, dim: output.shape[1] as number },
      presence: [pa!, pc!][i]!,
    }));
    return plugin.create(options).build({ tf, inputs, name: 'fusion', seed: 3 }).output;
  };
}
