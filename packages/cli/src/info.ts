import { installedPackageVersion } from '@omnifuse/core';
import {
  describeBackends,
  describeWebgpuAdapter,
  selectBackend,
  type WebgpuAdapterInfo,
} from '@omnifuse/runtime';
import { flag, type ParsedArgs } from './args.js';
import { type CliIo, line } from './io.js';
import { KNOWN_PLUGIN_PACKAGES, loadPluginModules, pluginSearchDirs } from './plugins.js';
import { CLI_PACKAGE_DIR, cliVersion } from './versions.js';

export interface BackendInfo {
  readonly name: string;
  readonly package: string;
  readonly version?: string;
  readonly status: 'selected' | 'available' | 'unavailable' | 'not installed';
  readonly why: string;
  /** webgpu only: the adapter it would run on, or why none was found. */
  readonly adapter?: WebgpuAdapterInfo | { readonly error: string };
}

export interface PluginPackageInfo {
  readonly package: string;
  readonly version?: string;
  readonly plugins?: readonly string[];
  readonly error?: string;
}

export async function runInfo(args: ParsedArgs, io: CliIo): Promise<number> {
  const versions = {
    node: process.versions.node,
    '@omnifuse/cli': cliVersion(),
    '@omnifuse/core': packageVersion('@omnifuse/core', io.cwd),
    '@omnifuse/runtime': packageVersion('@omnifuse/runtime', io.cwd),
    '@omnifuse/trainer': packageVersion('@omnifuse/trainer', io.cwd),
  };
  const backends = await backendInfo();
  const plugins = await pluginInfo(io.cwd);
  const info = {
    versions: { ...versions, '@tensorflow/tfjs': backends.tfjs ?? null },
    backends: backends.list,
    plugins,
  };
  if (flag(args, 'json')) {
    line(io.stdout, JSON.stringify(info, null, 2));
    return 0;
  }
  const out = (text = '') => line(io.stdout, text);
  out('versions');
  for (const [name, version] of Object.entries(info.versions))
    out(`  ${name.padEnd(18)} ${version ?? 'not installed'}`);
  out('backends (best first)');
  for (const b of info.backends) {
    out(`  ${b.name.padEnd(15)} ${b.status.padEnd(13)} ${b.why}`);
    if (b.adapter) for (const text of adapterLines(b.adapter)) out(`  ${''.padEnd(15)} ${text}`);
  }
  out('plugin packages');
  for (const p of plugins) {
    const what = p.plugins ? p.plugins.join(', ') : (p.error ?? 'not installed');
    out(`  ${p.package.padEnd(28)} ${(p.version ?? '-').padEnd(8)} ${what}`);
  }
  return 0;
}

function packageVersion(name: string, cwd: string): string | null {
  return installedPackageVersion(name, cwd) ?? installedPackageVersion(name, CLI_PACKAGE_DIR);
}

/**
 * Each backend with what `auto` makes of it: the one it selects, the ones below it (available), the
 * ones above it that failed (with the reason), and the ones not installed (with the package).
 */
async function backendInfo(): Promise<{ tfjs?: string; list: BackendInfo[] }> {
  const report = await describeBackends();
  let selectedName: string | undefined;
  let reasons: Record<string, string | undefined> = {};
  let failure: string | undefined;
  try {
    const selected = await selectBackend('auto');
    selectedName = selected.name;
    reasons = selected.reasons;
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  const list = report.backends.map((b): BackendInfo => {
    const base = { name: b.name, package: b.package, ...(b.version ? { version: b.version } : {}) };
    if (b.name === selectedName) {
      return {
        ...base,
        status: 'selected',
        why: `${b.package} ${b.version ?? ''}: the best that loads`.trim(),
      };
    }
    if (!b.installed) {
      return { ...base, status: 'not installed', why: `npm install ${b.missing.join(' ')}` };
    }
    const reason = reasons[b.name];
    if (reason) return { ...base, status: 'unavailable', why: reason };
    if (failure) return { ...base, status: 'unavailable', why: failure };
    return {
      ...base,
      status: 'available',
      why: `${b.package} ${b.version}; lower priority than ${selectedName}`,
    };
  });
  // Starting Dawn is the only way to see the adapter; done only when both packages are there.
  const webgpu = list.findIndex((b) => b.name === 'webgpu' && b.status !== 'not installed');
  if (webgpu >= 0) {
    const probe = await describeWebgpuAdapter();
    list[webgpu] = { ...list[webgpu]!, adapter: 'adapter' in probe ? probe.adapter : probe };
  }
  return { tfjs: report.tfjs, list };
}

function adapterLines(adapter: WebgpuAdapterInfo | { readonly error: string }): string[] {
  if ('error' in adapter) return [`adapter: none (${adapter.error})`];
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
  const { limits } = adapter;
  return [
    `adapter: ${adapter.device || '?'} (${adapter.software ? 'software' : 'hardware'}, ` +
      `${adapter.featureLevel}${adapter.dawnBackend ? `, dawn ${adapter.dawnBackend}` : ''})`,
    `  vendor ${adapter.vendor || '?'}, architecture ${adapter.architecture || '?'}, ${adapter.description || 'no description'}`,
    `  max buffer ${mib(limits.maxBufferSize)}, storage binding ${mib(limits.maxStorageBufferBindingSize)}, ` +
      `workgroup storage ${limits.maxComputeWorkgroupStorageSize} B, ` +
      `${limits.maxComputeInvocationsPerWorkgroup} invocations/workgroup`,
  ];
}

async function pluginInfo(cwd: string): Promise<PluginPackageInfo[]> {
  const out: PluginPackageInfo[] = [];
  for (const name of KNOWN_PLUGIN_PACKAGES) {
    const version = packageVersion(name, cwd) ?? undefined;
    if (!version) {
      out.push({ package: name });
      continue;
    }
    try {
      const [loaded] = await loadPluginModules([name], pluginSearchDirs(cwd));
      out.push({
        package: name,
        version,
        plugins: (loaded?.plugins ?? []).map((p) => `${p.id} (${p.kind})`),
      });
    } catch (error) {
      out.push({ package: name, version, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}
