import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/**
 * Physical cores of this machine: distinct (physical id, core id) pairs in `/proc/cpuinfo` on
 * Linux (hyper-threads share a core's SIMD units, so a second replica per core mostly waits), else
 * `os.availableParallelism()`.
 */
export function physicalCores(cpuinfo = readCpuinfo()): number {
  const logical = os.availableParallelism();
  if (!cpuinfo) return logical;
  const cores = new Set<string>();
  let physical = '0';
  for (const line of cpuinfo.split('\n')) {
    const [key, value] = line.split(':').map((part) => part?.trim());
    if (key === 'physical id') physical = value ?? '0';
    else if (key === 'core id') cores.add(`${physical}:${value}`);
  }
  // Containers may hide cores: never more than the process may use.
  return cores.size > 0 ? Math.min(cores.size, logical) : logical;
}

function readCpuinfo(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
}

/** Backends whose kernels run on the calling thread, so replicas on other threads add cores. */
const THREADED_BACKENDS = new Set(['wasm', 'cpu']);

/**
 * The number of gradient workers for `training.workers`: absent → 1; `auto` → the physical cores,
 * at most the batch size, and 1 on backends that already use every core or a GPU (tensorflow,
 * webgpu); a number is taken as given (at most the batch size), and more than 1 on such a backend is
 * an error.
 */
export function resolveWorkers(
  option: 'auto' | number | undefined,
  context: { batchSize: number; backend: string; cores?: number },
): number {
  if (option === undefined || option === 1) return 1;
  const threaded = THREADED_BACKENDS.has(context.backend);
  if (option === 'auto') {
    if (!threaded) return 1;
    return Math.max(1, Math.min(context.cores ?? physicalCores(), context.batchSize));
  }
  if (!threaded) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `data-parallel workers run on the wasm and cpu backends; ${context.backend} already spreads its work (set training.workers to 1 or "auto")`,
      path: 'training.workers',
      expected: ['wasm', 'cpu'],
      found: context.backend,
    });
  }
  return Math.min(option, context.batchSize);
}

/**
 * Splits a batch's rows into `count` contiguous shards, as equal as possible (the first
 * `rows % count` one longer); shards past the row count are empty.
 */
export function shardRows(rows: readonly number[], count: number): number[][] {
  const base = Math.floor(rows.length / count);
  const extra = rows.length % count;
  const shards: number[][] = [];
  let start = 0;
  for (let k = 0; k < count; k++) {
    const size = base + (k < extra ? 1 : 0);
    shards.push(rows.slice(start, start + size));
    start += size;
  }
  return shards;
}
