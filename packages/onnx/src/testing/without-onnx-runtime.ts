import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** A module resolve hook that fails for onnxruntime-node the way Node does when it is not installed. */
const HIDE_ONNX_RUNTIME = `export async function resolve(specifier, context, next) {
  if (specifier === 'onnxruntime-node' || specifier.startsWith('onnxruntime-node/')) {
    const error = new Error("Cannot find package 'onnxruntime-node' imported from " + context.parentURL);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`;

const dataUrl = (code: string) => `data:text/javascript,${encodeURIComponent(code)}`;

/** Node arguments that register {@link HIDE_ONNX_RUNTIME} before anything else loads. */
export const WITHOUT_ONNX_RUNTIME_ARGS: readonly string[] = [
  '--import',
  dataUrl(`import { register } from 'node:module'; register(${JSON.stringify(dataUrl(HIDE_ONNX_RUNTIME))});`),
];

export interface RunWithoutOnnxRuntimeOptions {
  /** Where the script resolves packages from. */
  readonly cwd: string;
  /** Node arguments before the hook, e.g. `['--conditions=@omnifuse/source', '--import', 'tsx']`. */
  readonly nodeArgs?: readonly string[];
}

/**
 * Runs an ES module script in a fresh Node process in which `onnxruntime-node` cannot be resolved,
 * as in an install without it, and returns what it printed. A package that imports without error
 * there never loads onnxruntime-node on import; the script can then check that its ONNX encoders
 * fail with the install hint.
 */
export async function runWithoutOnnxRuntime(
  script: string,
  options: RunWithoutOnnxRuntimeOptions,
): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...(options.nodeArgs ?? []), ...WITHOUT_ONNX_RUNTIME_ARGS, '--input-type=module', '--eval', script],
    { cwd: options.cwd },
  );
  return stdout;
}

export interface FitWithoutOnnxRuntimeOptions extends RunWithoutOnnxRuntimeOptions {
  /** The plugin package, imported by name; its default export lists its plugins. */
  readonly packageName: string;
  /** The ONNX encoder's plugin id, e.g. `vision:onnx`. */
  readonly plugin: string;
  /** Options for `create` (the model file must hold a readable ONNX model). */
  readonly encoderOptions: unknown;
}

/** What {@link fitWithoutOnnxRuntime} saw: the fit's error, or null when it fitted. */
export interface FitWithoutOnnxRuntimeResult {
  readonly error: {
    readonly code: string;
    readonly plugin?: string;
    readonly step?: string;
    readonly message: string;
    readonly details?: Record<string, unknown>;
  } | null;
}

/**
 * In a process without onnxruntime-node ({@link runWithoutOnnxRuntime}): imports a plugin package,
 * creates its ONNX encoder and fits it. The import and `create` must succeed (onnxruntime-node is an
 * optional peer, loaded only when a model opens); what `fit` threw comes back.
 */
export async function fitWithoutOnnxRuntime(
  options: FitWithoutOnnxRuntimeOptions,
): Promise<FitWithoutOnnxRuntimeResult> {
  const script = `
const plugins = (await import(${JSON.stringify(options.packageName)})).default;
const plugin = plugins.find((p) => p.id === ${JSON.stringify(options.plugin)});
const encoder = plugin.create(${JSON.stringify(options.encoderOptions)});
let error = null;
try {
  await encoder.fit([], { field: 'input', readMedia: async () => new Uint8Array() });
} catch (e) {
  error = { code: e.code, plugin: e.plugin, step: e.step, message: e.message, details: e.details };
}
console.log(JSON.stringify({ error }));
`;
  const stdout = await runWithoutOnnxRuntime(script, options);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as FitWithoutOnnxRuntimeResult;
}
