// Compares the flat-file feature cache with LMDB as its storage: raw put/get throughput on N
// features of 28×28 float32 (real MNIST digits when ../shared/data/mnist is there), then a warm
// `preprocessField` pass (all hits) over N media files, which is what a second training run pays.
//
//   node --import tsx bench/feature-cache.mjs [--n=2000] [--runs=5]
//
// LMDB is not a dependency of omnifuse: install it outside the repo and point LMDB_MODULES at that
// node_modules, e.g. `mkdir /tmp/lmdb-bench && cd /tmp/lmdb-bench && npm init -y && npm i --no-save lmdb`
// (its platform binary ships as an npm package, nothing else is downloaded). Without it only the
// flat-file and in-memory numbers are printed.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const n = Number(args.get('n') ?? 2000);
const runs = Number(args.get('runs') ?? 5);
const lmdbModules = process.env.LMDB_MODULES ?? '/tmp/lmdb-bench/node_modules';

const cacheModule = await import('../packages/core/src/cache/index.ts');
const datasetModule = await import('../packages/core/src/dataset/index.ts');
const { sha256 } = await import('../packages/core/src/hash.ts');
const {
  createFeatureCache,
  createMemoryFeatureCache,
  decodeFeatureEntry,
  encodeFeatureEntry,
  preprocessField,
} = cacheModule;

/** N images of 28×28 bytes: MNIST's first N training digits, or a fixed pattern without the data. */
function loadImages() {
  const file = path.resolve(here, '../../shared/data/mnist/train-images-idx3-ubyte.gz');
  if (existsSync(file)) {
    const raw = gunzipSync(readFileSync(file));
    return {
      source: 'MNIST',
      images: Array.from({ length: n }, (_, i) => raw.subarray(16 + i * 784, 16 + (i + 1) * 784)),
    };
  }
  return {
    source: 'synthetic',
    images: Array.from({ length: n }, (_, i) =>
      Uint8Array.from({ length: 784 }, (_, k) => (i * 31 + k * 7) % 256),
    ),
  };
}

function toFeature(bytes) {
  const data = new Float32Array(784);
  for (let k = 0; k < 784; k++) data[k] = bytes[k] / 255;
  return { dtype: 'float32', shape: [28, 28], data };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(label, run) {
  const seconds = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    await run(r);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const s = median(seconds);
  const row = {
    label,
    'median ms': +(s * 1000).toFixed(1),
    'ops/s': Math.round(n / s),
    'µs/op': +((s / n) * 1e6).toFixed(1),
  };
  results.push(row);
  return row;
}

async function pool(count, concurrency, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** LMDB as a FeatureCache, storing the same encoded entries (header + checksum + data). */
function lmdbFeatureCache(lmdb, dir) {
  const db = lmdb.open({ path: dir, encoding: 'binary', compression: false });
  const counters = { hits: 0, misses: 0, writes: 0, corrupt: 0 };
  return {
    kind: 'disk',
    counters,
    db,
    async get(key) {
      const bytes = db.get(key);
      const feature = bytes && decodeFeatureEntry(bytes);
      if (feature) counters.hits++;
      else counters.misses++;
      return feature || undefined;
    },
    async put(key, feature) {
      await db.put(key, encodeFeatureEntry(feature));
      counters.writes++;
    },
    async delete(key) {
      await db.remove(key);
    },
    async clear() {
      await db.clearAsync();
    },
  };
}

function loadLmdb() {
  try {
    return createRequire(path.join(lmdbModules, 'noop.js'))('lmdb');
  } catch (error) {
    console.log(`lmdb not available from ${lmdbModules} (${error.message.split('\n')[0]}); flat files only.`);
    return undefined;
  }
}

const results = [];
const { source, images } = loadImages();
const features = images.map(toFeature);
const keys = features.map((_, i) => sha256(`feature ${i}`));
const work = mkdtempSync(path.join(tmpdir(), 'omnifuse-cache-bench-'));
const lmdb = loadLmdb();
console.log(`${n} features of 28×28 float32 (${source}), ${runs} runs each, median; temp dir ${work}\n`);

try {
  // 1. Raw storage throughput.
  await time('flat put (sequential)', async (r) => {
    const cache = createFeatureCache({ dir: path.join(work, `flat-seq-${r}`) });
    for (let i = 0; i < n; i++) await cache.put(keys[i], features[i]);
  });
  await time('flat put (4 in flight)', async (r) => {
    const cache = createFeatureCache({ dir: path.join(work, `flat-par-${r}`) });
    await pool(n, 4, (i) => cache.put(keys[i], features[i]));
  });
  const flat = createFeatureCache({ dir: path.join(work, 'flat-seq-0') });
  await time('flat get (sequential)', async () => {
    for (let i = 0; i < n; i++) if (!(await flat.get(keys[i]))) throw new Error('miss');
  });
  await time('flat get (4 in flight)', async () => {
    await pool(n, 4, async (i) => {
      if (!(await flat.get(keys[i]))) throw new Error('miss');
    });
  });
  let lmdbCache;
  if (lmdb) {
    await time('lmdb put (sequential awaits)', async (r) => {
      const cache = lmdbFeatureCache(lmdb, path.join(work, `lmdb-seq-${r}`));
      for (let i = 0; i < n; i++) await cache.put(keys[i], features[i]);
      await cache.db.close();
    });
    await time('lmdb put (4 in flight)', async (r) => {
      const cache = lmdbFeatureCache(lmdb, path.join(work, `lmdb-par-${r}`));
      await pool(n, 4, (i) => cache.put(keys[i], features[i]));
      await cache.db.close();
    });
    lmdbCache = lmdbFeatureCache(lmdb, path.join(work, 'lmdb-seq-0'));
    await time('lmdb get (sequential)', async () => {
      for (let i = 0; i < n; i++) if (!(await lmdbCache.get(keys[i]))) throw new Error('miss');
    });
  }

  // 2. End to end: a warm preprocessField pass (every record a hit) over N image files.
  const root = path.join(work, 'images');
  mkdirSync(root);
  images.forEach((bytes, i) => {
    writeFileSync(path.join(root, `${i}.raw`), bytes);
  });
  const dataset = datasetModule.createDataset(
    images.map((_, i) => ({ image: `${i}.raw` })),
    { root, fieldTypes: { image: 'image' } },
  );
  const encoder = {
    specificationVersion: 'v1',
    id: 'image:bench',
    modality: 'image',
    version: '1',
    options: {},
    fit: () => null,
    preprocess: async (ref, _state, context) => toFeature(await context.readMedia(ref)),
    featureSpec: () => ({ dtype: 'float32', shape: [28, 28] }),
    build: () => {
      throw new Error('unused');
    },
  };
  const warm = async (label, cache) => {
    await preprocessField(dataset, 'image', encoder, null, { cache });
    await time(label, async () => {
      const batch = await preprocessField(dataset, 'image', encoder, null, { cache });
      if (batch.stats.hits !== n) throw new Error(`expected ${n} hits, got ${batch.stats.hits}`);
    });
  };
  await time('preprocessField, no cache (read + decode every file)', async () => {
    await preprocessField(dataset, 'image', encoder, null, {});
  });
  await warm('preprocessField warm, memory cache', createMemoryFeatureCache());
  await warm('preprocessField warm, flat files', createFeatureCache({ dir: path.join(work, 'e2e-flat') }));
  if (lmdb) await warm('preprocessField warm, lmdb', lmdbFeatureCache(lmdb, path.join(work, 'e2e-lmdb')));
  console.table(results);
} finally {
  rmSync(work, { recursive: true, force: true });
}
