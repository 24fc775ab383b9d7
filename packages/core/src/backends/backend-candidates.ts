import type { Tfjs } from '../kernels/kernel-types.js';
import {
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from '../kernels/register-wasm-training-kernels.js';
import type { WebgpuAdapterInfo, WebgpuOptions } from './webgpu-adapter.js';
import { webgpuCandidate } from './webgpu-candidate.js';

/** The backends omnifuse can run on, best first. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = 'auto' | BackendName;

/** Imports a module by name; injectable so tests and bundlers can supply modules. */
export type ImportModule = (specifier: string) => Promise<unknown>;

export interface LoadOptions {
  importModule: ImportModule;
  /** Where tfjs-backend-wasm finds its .wasm files, for bundled apps (see its `setWasmPaths`). */
  wasmPaths?: string;
  /** How the webgpu candidate looks for an adapter, `allowSoftware` already resolved. */
  webgpu?: WebgpuOptions;
}

export interface LoadedBackend {
  /** Version of the package that provides the backend. */
  version: string;
  /** Kernels omnifuse registered for it (wasm only). */
  kernels: readonly string[];
  /** The adapter it runs on (webgpu only). */
  adapter?: WebgpuAdapterInfo;
}

/** A lazy backend factory, in the style of tfjs's own registry: loaded only when tried. */
export interface BackendCandidate {
  name: BackendName;
  /** Higher is tried first by `auto`. */
  priority: number;
  /** The npm package to install to get it. */
  package: string;
  /** Other packages it needs beside `package` (webgpu: Dawn's `webgpu` outside Deno, Bun and browsers). */
  extraPackages?: readonly string[];
  /** The name tfjs registers it under (both tfjs-node packages register `tensorflow`). */
  tfjsBackend: string;
  /** Imports and registers the backend with tfjs; throws with the reason when it cannot. */
  load(tf: Tfjs, options: LoadOptions): Promise<LoadedBackend>;
}

/**
 * tfjs-node(-gpu) registers the `tensorflow` backend on import. It must run on the app's tfjs: a
 * nested copy (another version) would split tensors and kernels between two instances.
 */
function tensorflowCandidate(name: BackendName, pkg: string, priority: number): BackendCandidate {
  return {
    name,
    priority,
    package: pkg,
    tfjsBackend: 'tensorflow',
    async load(tf, { importModule }) {
      type TfjsNode = { tensor?: unknown; version?: Record<string, string>; default?: TfjsNode };
      const imported = (await importModule(pkg)) as TfjsNode;
      // From ESM a CommonJS module's exports may sit on `default` only.
      const mod = imported.tensor === undefined && imported.default ? imported.default : imported;
      if (mod.tensor !== tf.tensor) {
        const theirs = mod.version?.['tfjs-core'] ?? 'another version';
        throw new Error(
          `${pkg} uses its own copy of @tensorflow/tfjs-core (${theirs}) instead of the app's ` +
            `(${tf.version['tfjs-core']}); install versions of ${pkg} and @tensorflow/tfjs that match`,
        );
      }
      if (tf.findBackendFactory('tensorflow') === null) {
        throw new Error(`${pkg} loaded but did not register tfjs's "tensorflow" backend`);
      }
      return { version: mod.version?.['tfjs-node'] ?? tf.version.tfjs, kernels: [] };
    },
  };
}

export function backendCandidates(): BackendCandidate[] {
  return [
    tensorflowCandidate('tensorflow-gpu', '@tensorflow/tfjs-node-gpu', 40),
    webgpuCandidate(35),
    tensorflowCandidate('tensorflow', '@tensorflow/tfjs-node', 30),
    {
      name: 'wasm',
      priority: 20,
      package: '@tensorflow/tfjs-backend-wasm',
      tfjsBackend: 'wasm',
      async load(tf, { importModule, wasmPaths }) {
        const wasm = (await importModule('@tensorflow/tfjs-backend-wasm')) as {
          setWasmPaths?: (prefix: string) => void;
          version_wasm?: string;
        };
        if (wasmPaths !== undefined) wasm.setWasmPaths?.(wasmPaths);
        // Without these kernels conv and embedding layers cannot train on wasm.
        registerWasmTrainingKernels(tf);
        return { version: wasm.version_wasm ?? 'unknown', kernels: [...wasmKernelsOf(tf)] };
      },
    },
    {
      name: 'cpu',
      priority: 10,
      package: '@tensorflow/tfjs',
      tfjsBackend: 'cpu',
      async load(tf) {
        return { version: tf.version['tfjs-backend-cpu'], kernels: [] };
      },
    },
  ];
}

function wasmKernelsOf(tf: Tfjs): string[] {
  // Report what is in place, also when an earlier call did the registering.
  const names = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  return WASM_TRAINING_KERNELS.filter((name) => names.has(name));
}

/** One line saying why a candidate did not load. */
export function failureReason(error: unknown, pkg: string): string {
  const message = error instanceof Error ? error.message : String(error);
  // Node says "Cannot find package|module 'x'", vite "Could not resolve "x"". Only the package itself
  // missing counts: a missing file inside it (a native binding, say) has its own message.
  const quoted = message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`);
  if (quoted && /cannot find (package|module)|could not resolve/i.test(message)) {
    return `${pkg} is not installed`;
  }
  return (message.split('\n')[0] ?? message).replace(/\.$/, '');
}
