import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, OmnifuseError, sha256 } from '@omnifuse/core';
import type * as Ort from 'onnxruntime-node';
import type { OnnxDType } from './onnx-proto.js';
import { loadOnnxRuntime } from './onnx-runtime.js';
import {
  OnnxFormatError,
  type OnnxModelInfo,
  type OnnxShape,
  type OnnxValueInfo,
  readOnnxModelInfo,
} from './read-onnx-model.js';

/** Typed arrays a tensor can hold. */
export type OnnxTensorArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** One input tensor; the dtype follows the array type unless given (e.g. `bool` for a Uint8Array). */
export interface OnnxTensorInput {
  readonly data: OnnxTensorArray;
  readonly dims: readonly number[];
  readonly dtype?: OnnxDType;
}

export interface OnnxTensorOutput {
  readonly dtype: string;
  readonly dims: readonly number[];
  readonly data: OnnxTensorArray | readonly string[];
}

export interface LoadOnnxModelOptions {
  /** Threads one run may use; default: onnxruntime's (all cores). */
  readonly intraOpNumThreads?: number;
  /** onnxruntime execution providers in order of preference; default `['cpu']`. */
  readonly executionProviders?: readonly (
    | string
    | { readonly name: string; readonly [key: string]: unknown }
  )[];
  /** What errors call an in-memory model; default `in-memory ONNX model`. */
  readonly name?: string;
}

export interface OnnxRunOptions {
  /** Outputs to compute; default all. */
  readonly outputs?: readonly string[];
}

/** A loaded ONNX model: one onnxruntime session and what the model declares. */
export interface OnnxModel {
  /** Absolute path of the model file; undefined for a model loaded from bytes. */
  readonly file: string | undefined;
  /** How errors name the model: the file, or the `name` option. */
  readonly name: string;
  /** Hex sha256 of the model bytes: identifies the exact weights (e.g. in a cache key). */
  readonly sha256: string;
  readonly byteLength: number;
  /** The runtime that runs it, e.g. `onnxruntime-node 1.30.0`: outputs may differ across versions. */
  readonly runtime: string;
  readonly info: OnnxModelInfo;
  /** Inputs to feed, in the model's order, with dtype and shape (onnxruntime's metadata). */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs the model. Feeds are checked against the declared inputs first (names, dtype, rank,
   * fixed sizes), so a mistake reads as an E_INPUT OmnifuseError naming the model, the input and
   * what was expected and found. Safe to call concurrently.
   */
  run(
    feeds: Readonly<Record<string, OnnxTensorInput>>,
    options?: OnnxRunOptions,
  ): Promise<Record<string, OnnxTensorOutput>>;
  /** Frees the native session; the model cannot run afterwards. */
  release(): Promise<void>;
}

/**
 * Loads an ONNX model from a file (a relative path resolves against the process cwd) or from
 * bytes, into an onnxruntime-node session. The bytes are read and checked first, so a missing
 * file, another kind of file, or a truncated or corrupt model fails with an E_INPUT OmnifuseError
 * that names the file, never with onnxruntime's own error.
 */
export async function loadOnnxModel(
  source: string | URL | Uint8Array | ArrayBuffer,
  options: LoadOnnxModelOptions = {},
): Promise<OnnxModel> {
  checkLoadOptions(options);
  const { bytes, file } = await readModelBytes(source);
  const name = file ?? options.name ?? 'in-memory ONNX model';
  const fail = (message: string, fields: { expected?: unknown; found?: unknown; cause?: unknown } = {}) =>
    new OmnifuseError({ code: ErrorCode.InvalidInput, message, file, ...fields });

  let info: OnnxModelInfo;
  try {
    info = readOnnxModelInfo(bytes);
  } catch (error) {
    const reason = error instanceof OnnxFormatError ? error.message : String(error);
    throw fail(
      `${label(name, file)} is not a readable ONNX model (truncated, corrupt or another kind of file)`,
      {
        expected: 'an ONNX ModelProto (.onnx)',
        found: `${bytes.length} bytes: ${reason}`,
        cause: error,
      },
    );
  }

  const ort = await loadOnnxRuntime();
  let session: Ort.InferenceSession;
  try {
    const sessionOptions: Ort.InferenceSession.SessionOptions = {
      executionProviders: (options.executionProviders ?? [
        'cpu',
      ]) as Ort.InferenceSession.ExecutionProviderConfig[],
      ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
      // Warnings (e.g. unused initializers) would flood the console once per model.
      logSeverityLevel: 3,
    };
    // From bytes, so the session runs exactly the bytes hashed above; from the path only when
    // initializers live in external files that onnxruntime finds next to the model.
    session =
      info.usesExternalData && file
        ? await ort.InferenceSession.create(file, sessionOptions)
        : await ort.InferenceSession.create(bytes, sessionOptions);
  } catch (error) {
    throw fail(`onnxruntime could not load ${label(name, file)}: ${oneLine(error)}`, {
      expected: 'a model onnxruntime supports (valid graph, known operators and opsets)',
      found: `IR ${info.irVersion}, opsets ${info.opsets.map((o) => `${o.domain || 'ai.onnx'}:${o.version}`).join(', ')}`,
      cause: error,
    });
  }

  const inputs = session.inputNames.map((n) => describeValue(n, session.inputMetadata, info.inputs));
  const outputs = session.outputNames.map((n) => describeValue(n, session.outputMetadata, info.outputs));
  let released = false;

  return {
    file,
    name,
    sha256: sha256(bytes),
    byteLength: bytes.length,
    runtime: `onnxruntime-node ${ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown'}`,
    info,
    inputs,
    outputs,
    inputNames: session.inputNames,
    outputNames: session.outputNames,

    async run(feeds, runOptions = {}) {
      if (released) throw fail(`${label(name, file)} was released and cannot run`);
      const tensors: Record<string, Ort.Tensor> = {};
      for (const input of inputs) {
        const feed = feeds[input.name];
        if (!feed) {
          throw fail(`missing input "${input.name}" for ${label(name, file)}`, {
            expected: inputs.map((i) => i.name),
            found: Object.keys(feeds),
          });
        }
        tensors[input.name] = toTensor(ort, feed, input, (message, fields) =>
          fail(`input "${input.name}" of ${label(name, file)}: ${message}`, fields),
        );
      }
      const unknown = Object.keys(feeds).filter((key) => !inputs.some((i) => i.name === key));
      if (unknown.length > 0) {
        throw fail(`${label(name, file)} has no input ${unknown.map((u) => `"${u}"`).join(', ')}`, {
          expected: inputs.map((i) => i.name),
          found: Object.keys(feeds),
        });
      }
      const fetches = runOptions.outputs ?? session.outputNames;
      const missing = fetches.filter((o) => !session.outputNames.includes(o));
      if (missing.length > 0) {
        throw fail(`${label(name, file)} has no output ${missing.map((m) => `"${m}"`).join(', ')}`, {
          expected: session.outputNames,
          found: missing,
        });
      }
      let results: Ort.InferenceSession.ReturnType;
      try {
        results = await session.run(tensors, [...fetches]);
      } catch (error) {
        throw fail(`onnxruntime failed to run ${label(name, file)}: ${oneLine(error)}`, {
          expected: inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape })),
          found: Object.entries(feeds).map(([key, feed]) => ({ name: key, dims: feed.dims })),
          cause: error,
        });
      }
      const out: Record<string, OnnxTensorOutput> = {};
      for (const key of fetches) {
        const tensor = results[key] as Ort.Tensor;
        out[key] = {
          dtype: tensor.type,
          dims: [...tensor.dims],
          data: tensor.data as OnnxTensorOutput['data'],
        };
      }
      return out;
    },

    async release() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}

function checkLoadOptions(options: LoadOnnxModelOptions): void {
  const threads = options.intraOpNumThreads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'intraOpNumThreads must be an integer ≥ 0 (0: onnxruntime decides)',
      path: 'intraOpNumThreads',
      expected: 'an integer ≥ 0',
      found: threads,
    });
  }
  const providers = options.executionProviders;
  if (providers !== undefined && (!Array.isArray(providers) || providers.length === 0)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'executionProviders must be a non-empty list, e.g. ["cpu"]',
      path: 'executionProviders',
      expected: 'a non-empty list',
      found: providers,
    });
  }
}

async function readModelBytes(
  source: string | URL | Uint8Array | ArrayBuffer,
): Promise<{ bytes: Uint8Array; file: string | undefined }> {
  if (source instanceof Uint8Array) return { bytes: source, file: undefined };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), file: undefined };
  const file = path.resolve(source instanceof URL ? fileURLToPath(source) : source);
  const notFound = (found: string, cause?: unknown) =>
    new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: `ONNX model file ${file} ${found === 'a directory' ? 'is a directory' : 'cannot be read'}`,
      file,
      expected: 'a readable .onnx file',
      found,
      cause,
    });
  let stats: Awaited<ReturnType<typeof stat>>;
  try {
    stats = await stat(file);
  } catch (error) {
    throw notFound(
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : oneLine(error),
      error,
    );
  }
  if (stats.isDirectory()) throw notFound('a directory');
  try {
    return { bytes: new Uint8Array(await readFile(file)), file };
  } catch (error) {
    throw notFound(oneLine(error), error);
  }
}

/** The model's value metadata from onnxruntime, with the file's declaration where it is vaguer. */
function describeValue(
  name: string,
  metadata: readonly Ort.InferenceSession.ValueMetadata[] | undefined,
  declared: readonly OnnxValueInfo[],
): OnnxValueInfo {
  const fromFile = declared.find((d) => d.name === name);
  const meta = metadata?.find((m) => m.name === name);
  if (!meta) return fromFile ?? { name, dtype: null, shape: null };
  if (!meta.isTensor) return { name, dtype: null, shape: null };
  // onnxruntime reports an undeclared shape as [], like a scalar's; the file tells them apart.
  const shape: OnnxShape | null =
    meta.shape.length === 0 && fromFile?.shape == null
      ? null
      : meta.shape.map((d) => (typeof d === 'number' ? (d >= 0 ? d : null) : d === '' ? null : d));
  return { name, dtype: meta.type as OnnxDType, shape };
}

type Fail = (message: string, fields?: { expected?: unknown; found?: unknown }) => OmnifuseError;

function toTensor(ort: typeof Ort, feed: OnnxTensorInput, input: OnnxValueInfo, fail: Fail): Ort.Tensor {
  if (!feed || !ArrayBuffer.isView(feed.data) || !Array.isArray(feed.dims)) {
    throw fail('a feed is { data: typed array, dims: number[] }', {
      expected: '{ data, dims }',
      found: typeof feed,
    });
  }
  const dtype = feed.dtype ?? dtypeOfArray(feed.data);
  if (dtype === undefined)
    throw fail('unsupported array type', { expected: 'a typed array', found: feed.data });
  if (input.dtype && input.dtype !== dtype)
    throw fail('wrong element type', { expected: input.dtype, found: dtype });
  const dims = [...feed.dims];
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw fail('dims must be sizes ≥ 0', { expected: 'sizes ≥ 0', found: dims });
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== feed.data.length) {
    throw fail(`dims ${JSON.stringify(dims)} need ${size} values but the data has ${feed.data.length}`, {
      expected: size,
      found: feed.data.length,
    });
  }
  if (input.shape) {
    const fits =
      input.shape.length === dims.length &&
      input.shape.every((d, i) => typeof d !== 'number' || d === dims[i]);
    if (!fits) throw fail('wrong shape', { expected: formatShape(input.shape), found: formatShape(dims) });
  }
  return new ort.Tensor(dtype as Ort.Tensor.Type, feed.data as never, dims);
}

const ARRAY_DTYPES: readonly [new (...args: never[]) => unknown, OnnxDType][] = [
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int8Array, 'int8'],
  [Uint8Array, 'uint8'],
  [Int16Array, 'int16'],
  [Uint16Array, 'uint16'],
  [Int32Array, 'int32'],
  [Uint32Array, 'uint32'],
  [BigInt64Array, 'int64'],
  [BigUint64Array, 'uint64'],
];

function dtypeOfArray(data: ArrayBufferView): OnnxDType | undefined {
  return ARRAY_DTYPES.find(([type]) => data instanceof type)?.[1];
}

/** `[batch, 3, 224, 224]`, with unknown dimensions as `?`. */
export function formatShape(shape: OnnxShape): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** How a message names the model: the file is already in the error's `[file …]` prefix. */
function label(name: string, file: string | undefined): string {
  return file ? 'the model' : name;
}

/** onnxruntime's messages span lines; errors read better on one. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().replace(/\s*\n\s*/g, '; ');
}
