import type { BackendName } from '@omnifuse/core';
import type { Tfjs } from '../kernels/kernel-types.js';
import { backendCandidates } from './backend-candidates.js';
import { OMNIFUSE_SHIM } from './webgpu-adapter.js';

export interface BackendStatus {
  name: BackendName;
  /** The npm package that provides it. */
  package: string;
  /** Higher is tried first by `selectBackend('auto')`. */
  priority: number;
  /** Whether its packages resolve from here; it may still fail to initialise. */
  installed: boolean;
  /** Packages it needs that do not resolve from here (`package` or, for webgpu, `webgpu`). */
  missing: string[];
  version?: string;
  /** Whether it is tfjs's current backend. */
  active: boolean;
}

export interface BackendsReport {
  /** Version of @tensorflow/tfjs, or undefined when it is not installed. */
  tfjs?: string;
  /** tfjs's current backend name (`tf.getBackend()`), if one has been set. */
  tfjsBackend?: string;
  /** Best first. */
  backends: BackendStatus[];
}

/**
 * What an `info` command shows: which backends are installed, their versions, and which is active.
 * Reads package manifests only, so it loads no native code and changes no tfjs state; for the
 * WebGPU adapter, `describeWebgpuAdapter()` starts Dawn.
 */
export async function describeBackends(): Promise<BackendsReport> {
  const tf = await import('@tensorflow/tfjs').then(
    (m) => m as Tfjs,
    () => undefined,
  );
  const tfjsBackend = tf?.getBackend() || undefined;
  const activeName = tf && tfjsBackend ? activeBackendName(tf, tfjsBackend) : undefined;
  const candidates = backendCandidates().sort((a, b) => b.priority - a.priority);
  const backends = await Promise.all(
    candidates.map(async (c): Promise<BackendStatus> => {
      const version = await packageVersion(c.package);
      const missing = version === undefined ? [c.package] : [];
      for (const extra of c.extraPackages ?? []) {
        // A runtime with its own navigator.gpu (Deno, Bun, browsers) does not need Dawn's bindings.
        if (extra === 'webgpu' && hasNativeGpu()) continue;
        if ((await packageVersion(extra)) === undefined) missing.push(extra);
      }
      return {
        name: c.name,
        package: c.package,
        priority: c.priority,
        installed: missing.length === 0,
        missing,
        ...(version === undefined ? {} : { version }),
        active: c.name === activeName,
      };
    }),
  );
  return { tfjs: tf?.version.tfjs, tfjsBackend, backends };
}

function activeBackendName(tf: Tfjs, tfjsBackend: string): BackendName | undefined {
  if (tfjsBackend === 'wasm' || tfjsBackend === 'cpu' || tfjsBackend === 'webgpu') return tfjsBackend;
  if (tfjsBackend !== 'tensorflow') return undefined;
  // tfjs-node's backend says which of the two packages created it.
  try {
    const backend = tf.backend() as { isGPUPackage?: boolean };
    return backend.isGPUPackage ? 'tensorflow-gpu' : 'tensorflow';
  } catch {
    return undefined; // still initialising
  }
}

function hasNativeGpu(): boolean {
  const gpu = (globalThis as { navigator?: { gpu?: object } }).navigator?.gpu;
  return gpu !== undefined && !(OMNIFUSE_SHIM in gpu);
}

/** The package's version, resolved from here as `import()` would; undefined if not installed. */
async function packageVersion(pkg: string): Promise<string | undefined> {
  try {
    const manifest = (await import(`${pkg}/package.json`, { with: { type: 'json' } })) as {
      default: { version?: string };
    };
    return manifest.default.version;
  } catch {
    return undefined;
  }
}
