import type { BackendName } from '@omnifuse/core';
import type { Tfjs } from '../kernels/kernel-types.js';
import {
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from '../kernels/register-wasm-training-kernels.js';
import type { BackendCandidate } from './backend-candidate.js';
import { webgpuCandidate } from './webgpu-candidate.js';

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
