import { readFileSync } from 'node:fs';
import { mkdir, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { Feature } from '../spec/index.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { decodeFeatureEntry, encodeFeatureEntry } from './entry-format.js';

/** What a cache has seen since it was created; `corrupt` counts entries found damaged and dropped. */
export interface FeatureCacheCounters {
  hits: number;
  misses: number;
  writes: number;
  corrupt: number;
}

/**
 * Preprocessed features by cache key (see `featureCacheKey`). `get` answers undefined for a miss,
 * including a damaged entry, which it also removes; `put` replaces atomically.
 */
export interface FeatureCache {
  readonly kind: 'disk' | 'memory' | 'disabled';
  /** A disk cache's folder and fsync setting, so other threads and processes can open the same cache. */
  readonly disk?: { readonly dir: string; readonly fsync: boolean };
  get(key: string): Promise<Feature | undefined>;
  put(key: string, feature: Feature): Promise<void>;
  delete(key: string): Promise<void>;
  /** Removes every entry. */
  clear(): Promise<void>;
  readonly counters: Readonly<FeatureCacheCounters>;
}

export interface FeatureCacheOptions {
  /** Folder holding the entries; created on first write. */
  readonly dir: string;
  /**
   * fsync each entry before renaming it into place. Off by default: a rename without fsync may, after
   * a power cut, leave an empty or partial file, which the reader's length and checksum checks
   * reject as a miss; fsync only buys durability, not correctness.
   */
  readonly fsync?: boolean;
}

const KEY = /^[0-9a-f]{64}$/;

/** Errors of a rename over an existing file that another process holds open (Windows). */
const RENAME_BLOCKED = new Set(['EPERM', 'EACCES', 'EBUSY', 'EEXIST']);

function checkKey(key: string): void {
  if (!KEY.test(key)) {
    throw new OmnifuseError({
      code: ErrorCode.Cache,
      message: 'feature cache keys are 64 lowercase hex digits (a sha256)',
      found: key,
    });
  }
}

function readsWhole(file: string): boolean {
  try {
    return decodeFeatureEntry(readFileSync(file)) !== undefined;
  } catch {
    return false;
  }
}

function cloneFeature(feature: Feature): Feature {
  return { dtype: feature.dtype, shape: [...feature.shape], data: feature.data.slice() };
}

function newCounters(): FeatureCacheCounters {
  return { hits: 0, misses: 0, writes: 0, corrupt: 0 };
}

/**
 * A feature cache of flat files: `dir/ab/cd/abcd….bin`, one per entry (header, shape, raw data; see
 * `encodeFeatureEntry`). Writes go to a temp file in the entry's folder and are renamed into place, so
 * a crash mid-write leaves at most a stray `.tmp` file, never a partial entry under the real name.
 * Several processes or machines may share a folder (`omnifuse preprocess --shard`): renames are
 * atomic and entries content-addressed, so writers of the same key at once each leave a whole entry.
 * Flat files rather than LMDB (bench/feature-cache.mjs): LMDB's raw gets and puts are 2–5× faster,
 * but a warm `preprocessField` pass costs the same with either, since reading and hashing each source
 * file dominates; flat files need no native dependency and no map size, lock file or compaction.
 */
export function createFeatureCache(options: FeatureCacheOptions): FeatureCache {
  const dir = path.resolve(options.dir);
  const made = new Set<string>();
  const counters = newCounters();
  const entryPath = (key: string) => path.join(dir, key.slice(0, 2), key.slice(2, 4), `${key}.bin`);
  const cacheError = (message: string, file: string, cause: unknown) =>
    new OmnifuseError({
      code: ErrorCode.Cache,
      message: `${message}: ${(cause as Error).message}`,
      file,
      cause,
    });

  return {
    kind: 'disk',
    disk: { dir, fsync: options.fsync ?? false },
    counters,
    async get(key) {
      checkKey(key);
      const file = entryPath(key);
      let bytes: Uint8Array;
      try {
        // Synchronous on purpose: an entry is a few KiB, and one readFileSync (~10 µs) costs far less
        // than the four thread-pool round trips of an async readFile (~100-200 µs measured); jest's
        // transform cache reads its entries the same way. Writes stay async.
        bytes = readFileSync(file);
      } catch (cause) {
        // ESTALE: on NFS, another machine replaced the entry while we opened it; a miss, recomputed.
        const code = (cause as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ESTALE') {
          counters.misses++;
          return undefined;
        }
        throw cacheError('cannot read feature cache entry', file, cause);
      }
      const feature = decodeFeatureEntry(bytes);
      if (!feature) {
        counters.corrupt++;
        counters.misses++;
        await unlink(file).catch(() => undefined);
        return undefined;
      }
      counters.hits++;
      return feature;
    },
    async put(key, feature) {
      checkKey(key);
      const file = entryPath(key);
      const folder = path.dirname(file);
      const bytes = encodeFeatureEntry(feature);
      for (let attempt = 0; ; attempt++) {
        // Writers of the same key each get their own temp file; the last rename wins with a whole entry.
        try {
          if (!made.has(folder)) {
            await mkdir(folder, { recursive: true });
            made.add(folder);
          }
          await writeFileAtomic(file, bytes, { fsync: options.fsync ?? false, mkdir: false });
          counters.writes++;
          return;
        } catch (cause) {
          // The folder may have been removed under us (e.g. `clear` from elsewhere): make it again.
          made.delete(folder);
          const code = (cause as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' && attempt === 0) continue;
          // Windows refuses to rename over a file another process has open; that file is another
          // writer's entry for the same content-addressed key, as good as ours when it reads whole.
          if (code && RENAME_BLOCKED.has(code) && readsWhole(file)) return;
          throw cacheError('cannot write feature cache entry', file, cause);
        }
      }
    },
    async delete(key) {
      checkKey(key);
      await rm(entryPath(key), { force: true });
    },
    async clear() {
      made.clear();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A cache in process memory (features copied in and out), optionally bounded, oldest evicted first. */
export function createMemoryFeatureCache(options: { readonly maxEntries?: number } = {}): FeatureCache {
  const entries = new Map<string, Feature>();
  const counters = newCounters();
  return {
    kind: 'memory',
    counters,
    async get(key) {
      const feature = entries.get(key);
      if (!feature) {
        counters.misses++;
        return undefined;
      }
      counters.hits++;
      return cloneFeature(feature);
    },
    async put(key, feature) {
      checkKey(key);
      entries.delete(key);
      entries.set(key, cloneFeature(feature));
      counters.writes++;
      const max = options.maxEntries ?? Infinity;
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    async delete(key) {
      entries.delete(key);
    },
    async clear() {
      entries.clear();
    },
  };
}

/** A cache that stores nothing: every lookup misses, so every feature is computed. */
export function disabledFeatureCache(): FeatureCache {
  const counters = newCounters();
  return {
    kind: 'disabled',
    counters,
    async get() {
      counters.misses++;
      return undefined;
    },
    async put() {},
    async delete() {},
    async clear() {},
  };
}
