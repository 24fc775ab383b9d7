import type { BackendName } from '@omnifuse/core';
import type { Tfjs } from '../kernels/kernel-types.js';
import type { ImportModule } from './import-module.js';
import type { WebgpuAdapterInfo, WebgpuOptions } from './webgpu-adapter.js';

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
