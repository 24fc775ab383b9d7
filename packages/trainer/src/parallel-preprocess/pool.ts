import {
  type Dataset,
  type EncoderV1,
  type FeatureBatch,
  type FeatureCache,
  featureArrayType,
  OmnifuseError,
  type OmnifuseErrorFields,
  type PreprocessFieldOptions,
  type PreprocessStats,
  preprocessField,
  type RecordFailure,
} from '@omnifuse/core';
import Tinypool from 'tinypool';
import { physicalCores } from '../data-parallel/cores.js';
import { revivedError } from '../thread-errors.js';
import type { SliceError, SliceResult, SliceTask } from './protocol.js';

export interface PreprocessPoolOptions {
  /**
   * Threads. `auto` (default): the physical cores, for image and audio fields (decoding and
   * spectrograms) of at least {@link MIN_AUTO_PARALLEL_RECORDS} records; text and tabular fields,
   * cheap per record, stay on the calling thread. A number above 1 uses that many threads for every
   * field of at least {@link MIN_PARALLEL_RECORDS} records.
   */
  readonly jobs?: 'auto' | number;
  /** Plugin modules the threads import to re-create encoders (see `pluginModules`). */
  readonly plugins: { readonly modules: readonly string[]; readonly baseDir: string };
}

/** What a pool thread needs to re-create a fitted encoder. */
export interface EncoderRecipe {
  readonly id: string;
  /** The spec's options for it (as given to `create`). */
  readonly options: unknown;
  readonly state: unknown;
}

/** With a number of jobs, fields with fewer records than this stay on the calling thread. */
export const MIN_PARALLEL_RECORDS = 64;
/**
 * With `auto`, fields with fewer records than this stay on the calling thread: starting the threads
 * (each imports the plugin modules) costs about a second, more than a thousand cached records take.
 */
export const MIN_AUTO_PARALLEL_RECORDS = 2000;

/**
 * A pool of preprocessing threads (tinypool): `preprocessField` splits a field's records into
 * slices, each thread runs core's `preprocessField` on its slices end to end (reads and hashes the
 * media, asks the shared disk cache, decodes, runs the encoder, writes the cache) and moves the
 * features back, which land in record order — the same batch as one thread gives. Threads start on
 * first use and stop after a second idle; `close()` stops them.
 */
export interface PreprocessPool {
  readonly jobs: number;
  preprocessField(
    dataset: Dataset,
    field: string,
    encoder: EncoderV1<unknown, unknown>,
    recipe: EncoderRecipe,
    options?: PreprocessFieldOptions,
  ): Promise<FeatureBatch>;
  close(): Promise<void>;
}

export function createPreprocessPool(options: PreprocessPoolOptions): PreprocessPool {
  const auto = options.jobs === undefined || options.jobs === 'auto';
  const jobs = auto ? physicalCores() : (options.jobs as number);
  let pool: Tinypool | null = null;
  const threads = (): Tinypool => {
    pool ??= new Tinypool({
      ...workerEntry(),
      minThreads: 0,
      maxThreads: jobs,
      idleTimeout: 1000,
    });
    return pool;
  };
  return {
    jobs,
    async preprocessField(dataset, field, encoder, recipe, fieldOptions = {}) {
      const cache = fieldOptions.cache;
      // A cache only this process's memory holds cannot be shared with other threads.
      const shareable = !cache || cache.kind === 'disabled' || cache.disk !== undefined;
      const worthIt = !auto || encoder.modality === 'image' || encoder.modality === 'audio';
      const enough = dataset.size >= (auto ? MIN_AUTO_PARALLEL_RECORDS : MIN_PARALLEL_RECORDS);
      if (jobs <= 1 || !enough || !shareable || !worthIt) {
        return preprocessField(dataset, field, encoder, recipe.state, fieldOptions);
      }
      return inSlices(threads(), jobs, dataset, field, encoder, recipe, options.plugins, fieldOptions);
    },
    async close() {
      const running = pool;
      pool = null;
      await running?.destroy();
    },
  };
}

async function inSlices(
  pool: Tinypool,
  jobs: number,
  dataset: Dataset,
  field: string,
  encoder: EncoderV1<unknown, unknown>,
  recipe: EncoderRecipe,
  plugins: PreprocessPoolOptions['plugins'],
  options: PreprocessFieldOptions,
): Promise<FeatureBatch> {
  const spec = encoder.featureSpec(recipe.state);
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const n = dataset.size;
  // Several slices per thread, so that uneven slices even out; at most a few hundred records each.
  const sliceSize = Math.max(16, Math.min(512, Math.ceil(n / (jobs * 8))));
  // Shared, so each thread writes its rows in place (featureArrayType's element sizes: 4, 4, 1 bytes):
  // the caller's `into` arrays when they view shared memory from its start (reused across calls,
  // e.g. packing a split chunk by chunk), else new ones.
  const ArrayType = featureArrayType(spec.dtype);
  const into = sharedInto(options.into);
  const base = into ? into.offset : 0;
  const dataBuffer = into
    ? (into.data.buffer as SharedArrayBuffer)
    : new SharedArrayBuffer(n * size * ArrayType.BYTES_PER_ELEMENT);
  const presenceBuffer = into ? (into.presence.buffer as SharedArrayBuffer) : new SharedArrayBuffer(n * 4);
  const data = new ArrayType(dataBuffer).subarray(base * size, (base + n) * size);
  const presence = new Float32Array(presenceBuffer).subarray(base, base + n);
  const stats: PreprocessStats = { hits: 0, misses: 0, computed: 0, missing: 0, mediaReads: 0 };
  const failures: RecordFailure[] = [];
  const cache: FeatureCache | undefined = options.cache;
  let done = 0;
  const slices: Promise<void>[] = [];
  for (let start = 0; start < n; start += sliceSize) {
    const end = Math.min(n, start + sliceSize);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const task: SliceTask = {
      plugins,
      encoder: { id: recipe.id, options: recipe.options, state: recipe.state },
      field,
      dataset: {
        root: dataset.root,
        ...(dataset.source ? { source: dataset.source } : {}),
        records: indices.map((i) => dataset.records[i]!),
        ids: indices.map((i) => dataset.ids[i]!),
        fieldTypes: dataset.fieldTypes,
      },
      cache: cache?.disk ?? null,
      ...(options.media === undefined ? {} : { media: options.media }),
      invalid: options.invalid ?? 'throw',
      output: { data: dataBuffer, presence: presenceBuffer, start: base + start },
    };
    slices.push(
      (pool.run(task) as Promise<SliceResult | SliceError>).then((result) => {
        if ('error' in result)
          throw revivedError(result.error, (plain) => Object.assign(new Error(plain.message), plain));
        for (const key of Object.keys(stats) as (keyof PreprocessStats)[]) stats[key] += result.stats[key];
        for (const failure of result.failures) {
          const error = new OmnifuseError(failure.fields as unknown as OmnifuseErrorFields);
          failures.push({
            index: start + failure.index,
            record: dataset.ids[start + failure.index]!,
            field,
            code: error.code,
            reason: error.reason,
            error,
          });
        }
        done += end - start;
        options.onProgress?.({ ...stats, done, total: n });
      }),
    );
  }
  const settled = await Promise.allSettled(slices);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  failures.sort((a, b) => a.index - b.index);
  const asked = options.into;
  if (asked && !into) {
    // `into` arrays the threads cannot write: the rows copied there, as the calling thread would.
    const rows = asked.data.subarray(asked.offset * size, (asked.offset + n) * size);
    rows.set(data);
    const rowPresence = asked.presence.subarray(asked.offset, asked.offset + n);
    rowPresence.set(presence);
    return {
      field,
      dtype: spec.dtype,
      shape: [n, ...spec.shape],
      data: rows,
      presence: rowPresence,
      stats,
      failures,
    };
  }
  return { field, dtype: spec.dtype, shape: [n, ...spec.shape], data, presence, stats, failures };
}

/** `into` arrays the threads can write: views of shared memory from its first byte, big enough. */
function sharedInto(into: PreprocessFieldOptions['into']): PreprocessFieldOptions['into'] | undefined {
  if (!into) return undefined;
  const shared =
    into.data.buffer instanceof SharedArrayBuffer &&
    into.presence.buffer instanceof SharedArrayBuffer &&
    into.data.byteOffset === 0 &&
    into.presence.byteOffset === 0;
  return shared ? into : undefined;
}

/**
 * The thread script: the built `preprocess-worker.js` beside this bundle, or from TypeScript source
 * (tests, the `@omnifuse/source` condition) a bootstrap that registers tsx first.
 */
function workerEntry(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return {
      filename: new URL('./source-preprocess-worker.mjs', here).href,
      execArgv: ['--conditions=@omnifuse/source'],
    };
  }
  return { filename: new URL('./preprocess-worker.js', here).href, execArgv: [] };
}
