import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { failureReason, type ImportModule, importByName } from './import-module.js';

/** How omnifuse looks for a WebGPU adapter. */
export interface WebgpuOptions {
  /** Accept a software adapter (llvmpipe, SwiftShader, …). Default: only when `webgpu` is asked for by name. */
  allowSoftware?: boolean;
  /** Dawn toggles for `create()` of the `webgpu` package (e.g. `['backend=vulkan']`); replaces the default search. */
  dawnOptions?: readonly string[];
}

export type WebgpuFeatureLevel = 'core' | 'compatibility';

/** The adapter the `webgpu` backend runs on. */
export interface WebgpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation of WebGPU: correct, but slower than the cpu backends. */
  software: boolean;
  featureLevel: WebgpuFeatureLevel;
  /** Dawn's backend when omnifuse chose it (`opengles`); null for Dawn's default or a native `navigator.gpu`. */
  dawnBackend: string | null;
  limits: WebgpuLimits;
}

export interface WebgpuLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBuffersPerShaderStage: number;
}

/** The parts of the WebGPU API omnifuse touches (the DOM types are not in this package's lib). */
export interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null>;
  wgslLanguageFeatures?: unknown;
  getPreferredCanvasFormat?: () => string;
}
interface AdapterLike {
  info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
  limits: Partial<Record<keyof WebgpuLimits, number>>;
}
interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

export interface FoundAdapter {
  info: WebgpuAdapterInfo;
  /** What to install as `navigator.gpu` so tfjs's own `requestAdapter` finds this adapter. */
  gpu: GpuLike;
  /** Dawn's WebGPU globals (`GPUBufferUsage`, …) that tfjs expects; absent for a runtime's own `navigator.gpu`. */
  globals?: Record<string, unknown>;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render/i;

/**
 * A CPU implementation rather than a GPU. Not "mesa": Mesa also drives real Intel and AMD GPUs.
 * Dawn's OpenGL ES path reports `isFallbackAdapter: false` for llvmpipe, hence the name check.
 */
export function isSoftwareAdapter(
  info: NonNullable<AdapterLike['info']> & { isFallbackAdapter?: boolean },
): boolean {
  if (info.isFallbackAdapter) return true;
  return [info.device, info.description, info.vendor].some((text) => SOFTWARE.test(text ?? ''));
}

interface Attempt {
  dawnOptions: readonly string[];
  featureLevel: WebgpuFeatureLevel;
  dawnBackend: string | null;
}

/**
 * Finds the best WebGPU adapter without touching tfjs: a runtime's own `navigator.gpu` when there is
 * one, else Dawn (the `webgpu` package) with its default backend (Vulkan, Metal, D3D12) at core
 * feature level, then — only when software adapters are acceptable — Dawn's OpenGL ES backend at
 * compatibility level (how Mesa's llvmpipe runs headless). On Linux without the Vulkan loader
 * (`libvulkan.so.1`) the default backend is not tried: Dawn would only print that it is missing.
 * Throws with what was tried when none is found.
 */
export async function findWebgpuAdapter(
  importModule: ImportModule,
  options: WebgpuOptions = {},
): Promise<FoundAdapter> {
  const native = nativeGpu();
  if (native) {
    const adapter = await native.requestAdapter();
    if (!adapter) throw new Error('navigator.gpu found no adapter');
    return { info: adapterInfo(adapter, 'core', null), gpu: native };
  }
  const custom = options.dawnOptions;
  const attempts: Attempt[] = custom
    ? (['core', 'compatibility'] as const).map((featureLevel) => ({
        dawnOptions: custom,
        featureLevel,
        dawnBackend: dawnBackendOf(custom),
      }))
    : [
        { dawnOptions: [], featureLevel: 'core', dawnBackend: null },
        ...(options.allowSoftware === false
          ? []
          : [
              {
                dawnOptions: ['backend=opengles'],
                featureLevel: 'compatibility',
                dawnBackend: 'opengles',
              } as const,
            ]),
      ];
  const tried: string[] = [];
  // Loaded only when an attempt will use it: `auto` on Linux without Vulkan loads no native code.
  let dawn: DawnModule | undefined;
  for (const attempt of attempts) {
    const label = `${attempt.dawnBackend ?? 'default'} at ${attempt.featureLevel} level`;
    if (!custom && attempt.dawnBackend === null && importModule === importByName && !vulkanLoaderPresent()) {
      tried.push(
        `${label}: no Vulkan loader (libvulkan.so.1; install libvulkan1 and the GPU's Vulkan driver)`,
      );
      continue;
    }
    dawn ??= await importDawn(importModule);
    try {
      // Mesa's EGL needs a platform without a display server; it is read when Dawn starts EGL.
      if (attempt.dawnBackend === 'opengles') process.env.EGL_PLATFORM ??= 'surfaceless';
      const gpu = dawnInstance(importModule, dawn, attempt.dawnOptions);
      const adapter = await gpu.requestAdapter({ featureLevel: attempt.featureLevel });
      if (adapter) {
        return {
          info: adapterInfo(adapter, attempt.featureLevel, attempt.dawnBackend),
          gpu: withFeatureLevel(gpu, attempt.featureLevel),
          globals: dawn.globals,
        };
      }
      tried.push(`${label}: no adapter`);
    } catch (error) {
      tried.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`Dawn found no WebGPU adapter (${tried.join('; ')})`);
}

/**
 * One Dawn instance per process and set of Dawn options: creating a second with the same options
 * aborts Node (measured: `selectBackend('webgpu')` twice → std::system_error). Keyed by the module
 * loader too, so tests can inject fake Dawn modules.
 */
function dawnInstance(importModule: ImportModule, dawn: DawnModule, dawnOptions: readonly string[]): GpuLike {
  let byOptions = instances.get(importModule);
  if (!byOptions) {
    byOptions = new Map();
    instances.set(importModule, byOptions);
  }
  const key = dawnOptions.join(',');
  let gpu = byOptions.get(key);
  if (!gpu) {
    gpu = dawn.create([...dawnOptions]);
    byOptions.set(key, gpu);
  }
  return gpu;
}

const instances = new WeakMap<ImportModule, Map<string, GpuLike>>();

/** Whether the Vulkan loader can be found (always true off Linux, where Dawn uses Metal or D3D12). */
function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true;
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return true;
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (dirs.some((dir) => existsSync(path.join(dir, 'libvulkan.so.1')))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1');
  } catch {
    return true; // no cache to read: let Dawn try
  }
}

/**
 * The adapter `selectBackend('webgpu')` would use, for `omnifuse info`; changes no tfjs state.
 * Resolves to `{ error }` when there is none (package missing, no driver).
 */
export async function describeWebgpuAdapter(
  options: WebgpuOptions & { importModule?: ImportModule } = {},
): Promise<{ adapter: WebgpuAdapterInfo } | { error: string }> {
  try {
    const found = await findWebgpuAdapter(options.importModule ?? importByName, options);
    return { adapter: found.info };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** One line for logs: `webgpu (llvmpipe-…, software, compatibility)`. */
export function adapterLabel(info: WebgpuAdapterInfo): string {
  const name = info.device || info.description || info.vendor || 'unknown adapter';
  return [name, ...(info.software ? ['software'] : []), info.featureLevel].join(', ');
}

function nativeGpu(): GpuLike | undefined {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  return gpu && !(OMNIFUSE_SHIM in gpu) ? gpu : undefined;
}

async function importDawn(importModule: ImportModule): Promise<DawnModule> {
  let imported: Partial<DawnModule> & { default?: DawnModule };
  try {
    imported = (await importModule('webgpu')) as typeof imported;
  } catch (error) {
    const reason = failureReason(error, 'webgpu');
    throw new Error(
      reason === 'webgpu is not installed'
        ? "webgpu (Dawn's Node bindings) is not installed: npm install webgpu"
        : `webgpu could not be loaded: ${reason}`,
    );
  }
  const mod = imported.create ? imported : imported.default;
  if (!mod?.create) throw new Error('the webgpu package has no create()');
  return mod as DawnModule;
}

function dawnBackendOf(options: readonly string[]): string | null {
  const backend = options.find((o) => o.startsWith('backend='));
  return backend ? backend.slice('backend='.length) : null;
}

/** Marks a `navigator.gpu` omnifuse made, so a later search does not take it for a runtime's own. */
export const OMNIFUSE_SHIM = Symbol.for('omnifuse.webgpuShim');

/** tfjs asks for an adapter without a feature level; this adds the one the adapter was found at. */
function withFeatureLevel(gpu: GpuLike, featureLevel: WebgpuFeatureLevel): GpuLike {
  return {
    [OMNIFUSE_SHIM]: true,
    requestAdapter: (options) => gpu.requestAdapter({ ...options, featureLevel }),
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat?.() ?? 'rgba8unorm',
  } as GpuLike;
}

function adapterInfo(
  adapter: AdapterLike,
  featureLevel: WebgpuFeatureLevel,
  dawnBackend: string | null,
): WebgpuAdapterInfo {
  // Dawn's GPUAdapterInfo keeps its fields as prototype getters: read them, do not spread.
  const raw = adapter.info ?? {};
  const info = {
    vendor: raw.vendor ?? '',
    architecture: raw.architecture ?? '',
    device: raw.device ?? '',
    description: raw.description ?? '',
    isFallbackAdapter: raw.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
  };
  const limit = (name: keyof WebgpuLimits) => adapter.limits[name] ?? 0;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: isSoftwareAdapter(info),
    featureLevel,
    dawnBackend,
    limits: {
      maxBufferSize: limit('maxBufferSize'),
      maxStorageBufferBindingSize: limit('maxStorageBufferBindingSize'),
      maxComputeWorkgroupStorageSize: limit('maxComputeWorkgroupStorageSize'),
      maxComputeInvocationsPerWorkgroup: limit('maxComputeInvocationsPerWorkgroup'),
      maxComputeWorkgroupSizeX: limit('maxComputeWorkgroupSizeX'),
      maxComputeWorkgroupsPerDimension: limit('maxComputeWorkgroupsPerDimension'),
      maxStorageBuffersPerShaderStage: limit('maxStorageBuffersPerShaderStage'),
    },
  };
}
