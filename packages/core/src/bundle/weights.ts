import type * as tfTypes from '@tensorflow/tfjs';
import { ErrorCode, OmnifuseError } from '../errors.js';

type Tf = typeof tfTypes;

export interface WeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
}

/** The contents of `model.json`: tfjs's layers-model format, readable by `tf.loadLayersModel`. */
export interface ModelJson {
  readonly format: 'layers-model';
  readonly generatedBy: string;
  readonly convertedBy: null;
  /** Keras-style topology, or null when a plugin layer cannot be serialised (the bundle still loads). */
  readonly modelTopology: unknown;
  readonly weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

/**
 * The model's weights as one buffer plus their specs, keyed by each variable's original name
 * (tfjs suffixes variable names that repeat in a process, `dense/kernel_1`; original names do not).
 */
export async function encodeModelWeights(
  tf: Tf,
  model: tfTypes.LayersModel,
): Promise<{ data: Uint8Array; specs: WeightSpec[] }> {
  const seen = new Set<string>();
  const named = model.weights.map((weight) => {
    if (seen.has(weight.originalName)) {
      throw new OmnifuseError({
        code: ErrorCode.Bundle,
        message: `two weights share the name "${weight.originalName}"; give every layer a unique name`,
      });
    }
    seen.add(weight.originalName);
    return { name: weight.originalName, tensor: weight.read() };
  });
  const { data, specs } = await tf.io.encodeWeights(named);
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return {
    data: new Uint8Array(buffer),
    specs: specs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype })),
  };
}

/** The Keras-style topology, or null when some plugin layer cannot be serialised. */
export function modelTopology(model: tfTypes.LayersModel): unknown {
  try {
    return model.toJSON(null, false);
  } catch {
    return null;
  }
}

export function modelJson(
  tf: Tf,
  model: tfTypes.LayersModel,
  specs: WeightSpec[],
  weightsFile: string,
): ModelJson {
  return {
    format: 'layers-model',
    generatedBy: `omnifuse with TensorFlow.js tfjs-layers v${tf.version?.['tfjs-layers'] ?? 'unknown'}`,
    convertedBy: null,
    modelTopology: modelTopology(model),
    weightsManifest: [{ paths: [weightsFile], weights: specs }],
  };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * Writes saved weights into a freshly composed model by name, after checking that the names, the
 * shapes and the byte count match; a mismatch is an OmnifuseError naming the bundle file.
 */
export function restoreModelWeights(
  tf: Tf,
  model: tfTypes.LayersModel,
  specs: readonly WeightSpec[],
  data: Uint8Array,
  file: string,
): void {
  const fail = (message: string, expected?: unknown, found?: unknown): never => {
    throw new OmnifuseError({ code: ErrorCode.Bundle, message, file, expected, found });
  };
  let expectedBytes = 0;
  for (const spec of specs) {
    const size = BYTES[spec.dtype];
    if (size === undefined)
      fail(`weight "${spec.name}" has an unsupported dtype`, Object.keys(BYTES), spec.dtype);
    expectedBytes += spec.shape.reduce((a, b) => a * b, 1) * size!;
  }
  if (data.byteLength !== expectedBytes) {
    fail(
      'the weights file is truncated or does not match model.json',
      `${expectedBytes} bytes`,
      `${data.byteLength} bytes`,
    );
  }
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const modelNames = model.weights.map((w) => w.originalName);
  const missing = modelNames.filter((name) => !byName.has(name));
  const extra = specs.map((s) => s.name).filter((name) => !modelNames.includes(name));
  if (missing.length > 0 || extra.length > 0) {
    fail(
      'the saved weights do not match the model rebuilt from the spec (were plugin versions changed?)',
      { missing },
      { unexpected: extra },
    );
  }
  for (const weight of model.weights) {
    const spec = byName.get(weight.originalName)!;
    if (spec.shape.length !== weight.shape.length || spec.shape.some((d, i) => d !== weight.shape[i])) {
      fail(
        `weight "${weight.originalName}" has another shape than the rebuilt model's`,
        weight.shape,
        spec.shape,
      );
    }
  }
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buffer, specs as tfTypes.io.WeightsManifestEntry[]);
  try {
    for (const weight of model.weights) weight.write(tensors[weight.originalName]!);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
