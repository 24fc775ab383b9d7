import { ErrorCode, type OmnifuseError } from '@omnifuse/core';
import { catchAsync, expectOmnifuseError } from '@omnifuse/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tfjs } from '../kernels/kernel-types.js';
import { backendLabel, selectBackend } from './select-backend.js';
import { isSoftwareAdapter } from './webgpu-adapter.js';

// Fake Dawn and a fake tfjs-backend-webgpu (a cpu backend under the name "webgpu"); no GPU code runs.
const LLVMPIPE = {
  vendor: '',
  architecture: '',
  device: 'llvmpipe-llvm-15',
  description: 'OpenGL ES 3.2 Mesa',
};
const NVIDIA = {
  vendor: 'nvidia',
  architecture: 'ampere',
  device: 'NVIDIA A10',
  description: 'Vulkan driver',
};
type Info = typeof LLVMPIPE;

interface FakeWorld {
  /** Adapter per `backend=` toggle ('' for Dawn's default) and feature level, or none. */
  adapters: Record<string, Info | undefined>;
  registers?: boolean;
}

function fakeImport(world: FakeWorld, requests: string[] = []) {
  return async (specifier: string): Promise<unknown> => {
    const tf = (await import('@tensorflow/tfjs')) as Tfjs;
    if (specifier === 'webgpu') {
      return {
        globals: { GPUBufferUsage: {} },
        create: (options: string[]) => {
          const backend = options.find((o) => o.startsWith('backend='))?.slice(8) ?? '';
          return {
            wgslLanguageFeatures: new Set(),
            requestAdapter: async ({ featureLevel }: { featureLevel: string }) => {
              requests.push(`${backend || 'default'}/${featureLevel}`);
              const info = world.adapters[`${backend}/${featureLevel}`];
              return info ? { info, limits: { maxBufferSize: 256 } } : null;
            },
          };
        },
      };
    }
    if (specifier === '@tensorflow/tfjs-backend-webgpu') {
      const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
      if ((world.registers ?? true) && nav?.gpu && tf.findBackendFactory('webgpu') === null) {
        tf.registerBackend('webgpu', () => new tf.MathBackendCPU(), 0);
      }
      return {};
    }
    return import(specifier);
  };
}

afterEach(async () => {
  const tf = (await import('@tensorflow/tfjs')) as Tfjs;
  await tf.setBackend('cpu');
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  delete (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
});

async function thrown(run: () => Promise<unknown>): Promise<OmnifuseError> {
  const error = await catchAsync(run);
  expectOmnifuseError(error, 'the call');
  return error;
}

describe('webgpu backend selection', () => {
  it('auto uses a real GPU at core level and reports its adapter', async () => {
    const importModule = fakeImport({ adapters: { '/core': NVIDIA } });
    const selected = await selectBackend('auto', { importModule });
    expect(selected.name).toBe('webgpu');
    expect(selected.tf.getBackend()).toBe('webgpu');
    expect(selected.adapter).toMatchObject({
      device: 'NVIDIA A10',
      software: false,
      featureLevel: 'core',
      dawnBackend: null,
      limits: { maxBufferSize: 256, maxStorageBufferBindingSize: 0 },
    });
    expect(backendLabel(selected)).toBe('webgpu (NVIDIA A10, core)');
  });

  it('auto skips a software adapter with the reason, explicit webgpu accepts it', async () => {
    const requests: string[] = [];
    // A software adapter on Dawn's default backend (lavapipe on Vulkan, say): auto sees it, refuses it.
    const lavapipe = { ...LLVMPIPE, device: 'lavapipe' };
    const onVulkan = fakeImport({ adapters: { '/core': lavapipe } }, requests);
    const auto = await selectBackend('auto', { importModule: onVulkan });
    expect(auto.name).not.toBe('webgpu');
    expect(auto.reasons.webgpu).toBe('only a software adapter (lavapipe)');
    expect(requests).toEqual(['default/core']);

    // OpenGL ES at compatibility level only yields software adapters headless, and Dawn's GL path
    // prints warnings: auto does not try it at all.
    requests.length = 0;
    const importModule = fakeImport({ adapters: { 'opengles/compatibility': LLVMPIPE } }, requests);
    const autoGl = await selectBackend('auto', { importModule });
    expect(autoGl.name).not.toBe('webgpu');
    expect(autoGl.reasons.webgpu).toBe('Dawn found no WebGPU adapter (default at core level: no adapter)');
    expect(requests).toEqual(['default/core']);

    // Asked for by name: Dawn's default backend at core level first, then OpenGL ES at compatibility.
    requests.length = 0;
    const explicit = await selectBackend('webgpu', { importModule });
    expect(requests).toEqual(['default/core', 'opengles/compatibility']);
    expect(explicit.name).toBe('webgpu');
    expect(explicit.adapter).toMatchObject({
      software: true,
      featureLevel: 'compatibility',
      dawnBackend: 'opengles',
    });
    expect(backendLabel(explicit)).toBe('webgpu (llvmpipe-llvm-15, software, compatibility)');
    // tfjs asks navigator.gpu without a feature level; the shim adds the one the adapter needs.
    const gpu = (
      globalThis as unknown as { navigator: { gpu: { requestAdapter(o?: object): Promise<unknown> } } }
    ).navigator.gpu;
    expect(await gpu.requestAdapter({ powerPreference: 'high-performance' })).not.toBeNull();
    expect(requests.at(-1)).toBe('opengles/compatibility');
  });

  it('allowSoftware: true lets auto take a software adapter; false refuses it even when explicit', async () => {
    const importModule = fakeImport({ adapters: { 'opengles/compatibility': LLVMPIPE } });
    const auto = await selectBackend('auto', { importModule, webgpu: { allowSoftware: true } });
    expect(auto.name).toBe('webgpu');
    const error = await thrown(() =>
      selectBackend('webgpu', { importModule, webgpu: { allowSoftware: false } }),
    );
    // Without software adapters the OpenGL ES path is not searched at all.
    expect(error.message).toContain('Dawn found no WebGPU adapter (default at core level: no adapter)');
  });

  it('dawnOptions replace the default search', async () => {
    const requests: string[] = [];
    const importModule = fakeImport({ adapters: { 'vulkan/core': NVIDIA } }, requests);
    const selected = await selectBackend('webgpu', {
      importModule,
      webgpu: { dawnOptions: ['backend=vulkan'] },
    });
    expect(selected.adapter).toMatchObject({ dawnBackend: 'vulkan', featureLevel: 'core' });
    expect(requests).toEqual(['vulkan/core']);
  });

  it('no adapter at all: explicit webgpu says what was tried', async () => {
    const importModule = fakeImport({ adapters: {} });
    const error = await thrown(() => selectBackend('webgpu', { importModule }));
    expect(error.code).toBe(ErrorCode.BackendUnavailable);
    expect(error.message).toContain(
      'default at core level: no adapter; opengles at compatibility level: no adapter',
    );
  });

  it('explains when tfjs-backend-webgpu was imported before navigator.gpu existed', async () => {
    const importModule = fakeImport({ adapters: { '/core': NVIDIA }, registers: false });
    const error = await thrown(() => selectBackend('webgpu', { importModule }));
    expect(error.message).toContain('imported before navigator.gpu existed');
  });

  it('missing packages become reasons naming what to install', async () => {
    const missing = (name: string) =>
      Object.assign(new Error(`Cannot find package '${name}' imported from /app/x.js`), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
    const noDawn = async (specifier: string) => {
      if (specifier === 'webgpu') throw missing('webgpu');
      return import(specifier);
    };
    const auto = await selectBackend('auto', { importModule: noDawn });
    expect(auto.reasons.webgpu).toContain(
      "webgpu (Dawn's Node bindings) is not installed: npm install webgpu",
    );
    const error = await thrown(() => selectBackend('webgpu', { importModule: noDawn }));
    expect(error.message).toContain('npm install @tensorflow/tfjs-backend-webgpu webgpu');

    const noBackend = fakeImport({ adapters: { '/core': NVIDIA } });
    const withoutTfjsWebgpu = async (specifier: string) => {
      if (specifier === '@tensorflow/tfjs-backend-webgpu') throw missing(specifier);
      return noBackend(specifier);
    };
    const selected = await selectBackend('auto', { importModule: withoutTfjsWebgpu });
    expect(selected.reasons.webgpu).toBe('@tensorflow/tfjs-backend-webgpu is not installed');
  });
});

describe('isSoftwareAdapter', () => {
  it('knows CPU implementations by name and fallback flag, not Mesa itself', () => {
    expect(isSoftwareAdapter(LLVMPIPE)).toBe(true);
    expect(isSoftwareAdapter({ device: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter({ device: 'anything', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'intel', device: 'Mesa Intel(R) UHD Graphics 620' })).toBe(false);
    expect(isSoftwareAdapter(NVIDIA)).toBe(false);
  });
});
