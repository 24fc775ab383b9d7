import {
  BACKEND_CHOICES,
  BACKEND_NAMES,
  type BackendChoice,
  type BackendName,
  ErrorCode,
  OmnifuseError,
} from '@omnifuse/core';
import type { Tfjs } from '../kernels/kernel-types.js';
import { registerTrainingGradients } from '../kernels/register-training-gradients.js';
import type { BackendCandidate } from './backend-candidate.js';
import { backendCandidates } from './backend-candidates.js';
import { failureReason, type ImportModule, importByName } from './import-module.js';
import { quietCpuBanner } from './quiet-cpu-banner.js';
import { adapterLabel, type WebgpuAdapterInfo, type WebgpuOptions } from './webgpu-adapter.js';

export interface SelectBackendOptions {
  /** Where tfjs-backend-wasm finds its .wasm files, for bundled apps (see its `setWasmPaths`). */
  wasmPaths?: string;
  /** Imports a module by name; defaults to `import()`. For tests and bundlers. */
  importModule?: ImportModule;
  /** The webgpu backend's adapter search; `allowSoftware` defaults to `choice === 'webgpu'`. */
  webgpu?: WebgpuOptions;
}

export interface SelectedBackend {
  /** The omnifuse backend now active. */
  name: BackendName;
  /** The app's tfjs namespace (`@tensorflow/tfjs`), now running on that backend. Use this one. */
  tf: Tfjs;
  /** tfjs's name for the backend (`tf.getBackend()`); both tfjs-node packages say `tensorflow`. */
  tfjsBackend: string;
  /** The package providing the backend and its version. */
  package: string;
  version: string;
  /** Why each backend tried before this one did not load (only `auto` tries several). */
  reasons: Partial<Record<BackendName, string>>;
  /** Training kernels omnifuse registered for it (wasm). */
  kernels: readonly string[];
  /** The adapter the webgpu backend runs on. */
  adapter?: WebgpuAdapterInfo;
}

const defaultImport: ImportModule = importByName;

/**
 * Loads and activates a tfjs backend. `auto` tries the candidates best first (tfjs-node-gpu,
 * webgpu on a real GPU, tfjs-node, wasm, cpu) and reports why each better one did not load; an explicit choice that cannot
 * load throws OmnifuseError `E_BACKEND_UNAVAILABLE` naming the package to install. The backend is
 * process-wide (it is tfjs's), so select once at start-up.
 */
export async function selectBackend(
  choice: BackendChoice = 'auto',
  options: SelectBackendOptions = {},
): Promise<SelectedBackend> {
  if (choice !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(choice)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'Unknown backend',
      field: 'backend',
      expected: BACKEND_CHOICES.join(' | '),
      found: choice,
    });
  }
  const importModule = options.importModule ?? defaultImport;
  const tf = await loadTfjs(importModule);
  // Before any candidate loads: a failed one can leave tfjs falling back to cpu.
  quietCpuBanner(tf);
  const candidates = backendCandidates()
    .filter((c) => choice === 'auto' || c.name === choice)
    .sort((a, b) => b.priority - a.priority);
  const reasons: Partial<Record<BackendName, string>> = {};
  for (const candidate of candidates) {
    try {
      const webgpu = {
        ...options.webgpu,
        allowSoftware: options.webgpu?.allowSoftware ?? choice === 'webgpu',
      };
      const loaded = await activate(tf, candidate, { importModule, wasmPaths: options.wasmPaths, webgpu });
      return {
        name: candidate.name,
        tf,
        tfjsBackend: tf.getBackend(),
        package: candidate.package,
        version: loaded.version,
        reasons,
        kernels: loaded.kernels,
        ...(loaded.adapter ? { adapter: loaded.adapter } : {}),
      };
    } catch (error) {
      reasons[candidate.name] = failureReason(error, candidate.package);
      if (choice !== 'auto') {
        throw new OmnifuseError({
          code: ErrorCode.BackendUnavailable,
          message:
            `Backend "${candidate.name}" is unavailable: ${reasons[candidate.name]}. ` +
            `It needs ${packagesOf(candidate).join(' and ')} (npm install ${packagesOf(candidate).join(' ')}).`,
          field: 'backend',
          details: { backend: candidate.name, package: candidate.package, reason: reasons[candidate.name] },
          cause: error,
        });
      }
    }
  }
  throw new OmnifuseError({
    code: ErrorCode.BackendUnavailable,
    message: `No tfjs backend could be initialised: ${describeReasons(reasons)}`,
    field: 'backend',
    details: { reasons },
  });
}

async function loadTfjs(importModule: ImportModule): Promise<Tfjs> {
  try {
    return (await importModule('@tensorflow/tfjs')) as Tfjs;
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.BackendUnavailable,
      message: `@tensorflow/tfjs could not be loaded (${failureReason(error, '@tensorflow/tfjs')}); install it: npm install @tensorflow/tfjs`,
      details: { package: '@tensorflow/tfjs' },
      cause: error,
    });
  }
}

async function activate(
  tf: Tfjs,
  candidate: BackendCandidate,
  options: Parameters<BackendCandidate['load']>[1],
) {
  const registeredBefore = tf.findBackendFactory(candidate.tfjsBackend) !== null;
  try {
    const loaded = await candidate.load(tf, options);
    if (!(await tf.setBackend(candidate.tfjsBackend))) {
      throw new Error(await initialisationFailure(tf, candidate.tfjsBackend));
    }
    await tf.ready();
    // Gradients are built from ops, so omnifuse's cheaper ones (same values) suit every backend.
    registerTrainingGradients(tf);
    return loaded;
  } catch (error) {
    // Let the next candidate register the same tfjs name (tfjs-node after a failed tfjs-node-gpu).
    if (!registeredBefore && tf.findBackendFactory(candidate.tfjsBackend) !== null) {
      tf.removeBackend(candidate.tfjsBackend);
    }
    throw error;
  }
}

/** tfjs only logs why a backend failed to initialise; run its factory again to get the error. */
async function initialisationFailure(tf: Tfjs, tfjsBackend: string): Promise<string> {
  const fallback = `tfjs could not initialise its "${tfjsBackend}" backend`;
  try {
    await tf.findBackendFactory(tfjsBackend)?.();
    return fallback;
  } catch (error) {
    return `${fallback}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function describeReasons(reasons: Partial<Record<BackendName, string>>): string {
  return Object.entries(reasons)
    .map(([name, reason]) => `${name}: ${reason}`)
    .join('; ');
}

function packagesOf(candidate: BackendCandidate): string[] {
  return [candidate.package, ...(candidate.extraPackages ?? [])];
}

/** One line for logs: `webgpu (llvmpipe-…, software, compatibility)`, or just the name. */
export function backendLabel(selected: Pick<SelectedBackend, 'name' | 'adapter'>): string {
  return selected.adapter ? `${selected.name} (${adapterLabel(selected.adapter)})` : selected.name;
}
