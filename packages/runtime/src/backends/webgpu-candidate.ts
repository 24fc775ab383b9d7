import type { Tfjs } from '../kernels/kernel-types.js';
import { registerWebgpuKernelFixes, WEBGPU_KERNEL_FIXES } from '../kernels/register-webgpu-kernel-fixes.js';
import type { BackendCandidate } from './backend-candidate.js';
import { findWebgpuAdapter, type GpuLike } from './webgpu-adapter.js';

const PACKAGE = '@tensorflow/tfjs-backend-webgpu';

/**
 * tfjs's WebGPU backend, on Dawn (the `webgpu` package) in Node or on the runtime's `navigator.gpu`.
 * tfjs-backend-webgpu registers itself on import only if `navigator.gpu` exists then, so the adapter
 * is found and `navigator.gpu` set up first, and the package imported after.
 */
export function webgpuCandidate(priority: number): BackendCandidate {
  return {
    name: 'webgpu',
    priority,
    package: PACKAGE,
    extraPackages: ['webgpu'],
    tfjsBackend: 'webgpu',
    async load(tf, { importModule, webgpu = {} }) {
      const found = await findWebgpuAdapter(importModule, webgpu);
      const { info } = found;
      if (info.software && !webgpu.allowSoftware) {
        throw new Error(`only a software adapter (${info.device || info.description || info.vendor})`);
      }
      if (found.globals) {
        Object.assign(globalThis, found.globals);
        installNavigatorGpu(found.gpu);
      }
      await importModule(PACKAGE);
      if (tf.findBackendFactory('webgpu') === null) throw new Error(registrationFailure(tf));
      registerWebgpuKernelFixes(tf);
      // tfjs-backend-webgpu exports no version; it is released in lockstep with tfjs.
      return { version: tf.version.tfjs, kernels: [...WEBGPU_KERNEL_FIXES], adapter: info };
    },
  };
}

function installNavigatorGpu(gpu: GpuLike): void {
  const global = globalThis as { navigator?: object };
  global.navigator ??= {}; // Node 20 has none; Node 21+ has one without `gpu`.
  Object.defineProperty(global.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
}

function registrationFailure(tf: Tfjs): string {
  return (
    `${PACKAGE} did not register tfjs's "webgpu" backend on @tensorflow/tfjs ${tf.version.tfjs}: it was ` +
    'imported before navigator.gpu existed (import it only through selectBackend, not at the top of a ' +
    'module), or it uses another copy of @tensorflow/tfjs-core, or an earlier attempt in this process failed'
  );
}
