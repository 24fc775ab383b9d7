import { spawn } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../hash.js';
import type { Feature } from '../spec/index.js';
import { decodeFeatureEntry, encodeFeatureEntry } from './entry-format.js';
import { createFeatureCache, createMemoryFeatureCache, disabledFeatureCache } from './feature-cache.js';

const feature = (values: number[], shape = [values.length]): Feature => ({
  dtype: 'float32',
  shape,
  data: Float32Array.from(values),
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile());
}

describe('entry format', () => {
  it('round-trips float32, int32 and uint8 features of any rank', () => {
    const cases: Feature[] = [
      feature([1.5, -2, 3, 4, 5, 6], [2, 3]),
      { dtype: 'int32', shape: [4], data: Int32Array.from([1, -2, 2 ** 31 - 1, 0]) },
      { dtype: 'uint8', shape: [2, 2, 1], data: Uint8Array.from([0, 7, 128, 255]) },
      { dtype: 'float32', shape: [], data: Float32Array.from([7]) },
      { dtype: 'float32', shape: [2, 0], data: new Float32Array(0) },
    ];
    for (const original of cases) {
      const decoded = decodeFeatureEntry(encodeFeatureEntry(original));
      expect(decoded).toEqual(original);
    }
    // A view into a larger buffer at an odd offset still decodes.
    const bytes = encodeFeatureEntry(cases[0]!);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeFeatureEntry(shifted.subarray(3))).toEqual(cases[0]);
  });

  it('rejects every truncation, extra bytes, a flipped data bit and a bad header', () => {
    const bytes = encodeFeatureEntry(feature([1, 2, 3, 4], [2, 2]));
    for (let length = 0; length < bytes.length; length++) {
      expect(decodeFeatureEntry(bytes.subarray(0, length))).toBeUndefined();
    }
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(decodeFeatureEntry(longer)).toBeUndefined();
    const flipped = bytes.slice();
    flipped[flipped.length - 2]! ^= 0x10;
    expect(decodeFeatureEntry(flipped)).toBeUndefined();
    const badDtype = bytes.slice();
    badDtype[4] = 9;
    expect(decodeFeatureEntry(badDtype)).toBeUndefined();
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(decodeFeatureEntry(badMagic)).toBeUndefined();
  });
});

describe('createFeatureCache (flat files)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const key = (text: string) => sha256(text);

  it('stores entries under a two-level fan-out and reads them back', async () => {
    const cache = createFeatureCache({ dir });
    expect(await cache.get(key('a'))).toBeUndefined();
    await cache.put(key('a'), feature([1, 2, 3]));
    expect(await cache.get(key('a'))).toEqual(feature([1, 2, 3]));
    const k = key('a');
    expect(filesUnder(dir)).toEqual([path.join(dir, k.slice(0, 2), k.slice(2, 4), `${k}.bin`)]);
    await cache.put(key('a'), feature([4, 5, 6]));
    expect(await cache.get(key('a'))).toEqual(feature([4, 5, 6]));
    expect(cache.counters).toMatchObject({ hits: 2, misses: 1, writes: 2, corrupt: 0 });
    await cache.delete(key('a'));
    expect(await cache.get(key('a'))).toBeUndefined();
  });

  it('with fsync on, writes the same entries', async () => {
    const cache = createFeatureCache({ dir, fsync: true });
    await cache.put(key('b'), feature([9]));
    expect(await createFeatureCache({ dir }).get(key('b'))).toEqual(feature([9]));
  });

  it('treats a truncated or corrupt entry as a miss, deletes it, and takes a rewrite', async () => {
    const cache = createFeatureCache({ dir });
    await cache.put(key('t'), feature([1, 2, 3, 4]));
    const [file] = filesUnder(dir);
    truncateSync(file!, statSync(file!).size - 3);
    expect(await cache.get(key('t'))).toBeUndefined();
    expect(cache.counters.corrupt).toBe(1);
    expect(filesUnder(dir)).toEqual([]);
    await cache.put(key('t'), feature([1, 2, 3, 4]));
    const bytes = readFileSync(file!);
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(file!, bytes);
    expect(await cache.get(key('t'))).toBeUndefined();
    expect(cache.counters.corrupt).toBe(2);
    await cache.put(key('t'), feature([1, 2, 3, 4]));
    expect(await cache.get(key('t'))).toEqual(feature([1, 2, 3, 4]));
  });

  it('ignores a temp file left by a crash between write and rename', async () => {
    const k = key('crash');
    const folder = path.join(dir, k.slice(0, 2), k.slice(2, 4));
    const cache = createFeatureCache({ dir });
    await cache.put(key('other'), feature([0]));
    rmSync(folder, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder, { recursive: true });
    const bytes = encodeFeatureEntry(feature([1, 2, 3]));
    writeFileSync(path.join(folder, `.${k}.999.0.abcd.tmp`), bytes.subarray(0, 10));
    expect(await cache.get(k)).toBeUndefined();
    await cache.put(k, feature([1, 2, 3]));
    expect(await cache.get(k)).toEqual(feature([1, 2, 3]));
  });

  it('writers of the same keys at once, each with its own cache on the folder, all succeed whole', async () => {
    // As shard processes that meet the same content: every put resolves, every entry decodes.
    const caches = [createFeatureCache({ dir }), createFeatureCache({ dir }), createFeatureCache({ dir })];
    const keys = Array.from({ length: 16 }, (_, i) => key(`same-${i}`));
    const value = (i: number) => feature(Array.from({ length: 2048 }, (_, j) => i + j));
    await Promise.all(
      [1, 2, 3].flatMap(() => caches.flatMap((cache) => keys.map((k, i) => cache.put(k, value(i))))),
    );
    expect(caches.map((c) => c.counters.writes)).toEqual([48, 48, 48]);
    const files = filesUnder(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files).toHaveLength(keys.length);
    const reader = createFeatureCache({ dir });
    for (const [i, k] of keys.entries()) expect(await reader.get(k)).toEqual(value(i));
    expect(reader.counters.corrupt).toBe(0);
  });

  it('makes an entry folder again when it was removed after this cache made it', async () => {
    const cache = createFeatureCache({ dir });
    await cache.put(key('a'), feature([1]));
    // Another process's `clear`: this cache still remembers having made the folder.
    rmSync(dir, { recursive: true, force: true });
    await cache.put(key('a'), feature([2]));
    expect(await cache.get(key('a'))).toEqual(feature([2]));
  });

  it('rejects keys that are not sha256 hex', async () => {
    const cache = createFeatureCache({ dir });
    await expect(cache.get('../../etc/passwd')).rejects.toMatchObject({ code: 'E_CACHE' });
  });

  it('clear removes everything', async () => {
    const cache = createFeatureCache({ dir });
    await cache.put(key('x'), feature([1]));
    await cache.clear();
    expect(await cache.get(key('x'))).toBeUndefined();
    await cache.put(key('x'), feature([2]));
    expect(await cache.get(key('x'))).toEqual(feature([2]));
  });

  const tsxPackage = (() => {
    try {
      return createRequire(import.meta.url).resolve('tsx/package.json');
    } catch {
      return undefined;
    }
  })();

  it.skipIf(!tsxPackage)('a process killed while writing leaves no entry that reads back wrong', async () => {
    // A child writes 64 KiB entries whose every element equals i, under key sha256(String(i)), until
    // it is SIGKILLed mid-stream. Afterwards each file under a real entry name must decode to exactly
    // the value its key names.
    const moduleUrl = pathToFileURL(fileURLToPath(new URL('./feature-cache.ts', import.meta.url))).href;
    const hashUrl = pathToFileURL(fileURLToPath(new URL('../hash.ts', import.meta.url))).href;
    const script = path.join(dir, 'writer.mjs');
    writeFileSync(
      script,
      `import { createFeatureCache } from ${JSON.stringify(moduleUrl)};
import { sha256 } from ${JSON.stringify(hashUrl)};
const cache = createFeatureCache({ dir: ${JSON.stringify(path.join(dir, 'cache'))} });
for (let i = 0; ; i++) {
  await cache.put(sha256(String(i)), { dtype: 'float32', shape: [16384], data: new Float32Array(16384).fill(i) });
  if (i === 5) process.stdout.write('ready\\n');
}
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: path.dirname(path.dirname(path.dirname(tsxPackage!))),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => resolve());
      child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    const entries = filesUnder(path.join(dir, 'cache')).filter((file) => file.endsWith('.bin'));
    expect(entries.length).toBeGreaterThan(5);
    const cache = createFeatureCache({ dir: path.join(dir, 'cache') });
    const wrong: string[] = [];
    for (const file of entries) {
      const entry = decodeFeatureEntry(readFileSync(file));
      const value = entry?.data[0];
      const right =
        entry !== undefined &&
        entry.data.length === 16384 &&
        entry.data.every((x) => x === value) &&
        path.basename(file, '.bin') === sha256(String(value));
      if (!right) wrong.push(file);
      const got = await cache.get(path.basename(file, '.bin'));
      if (got?.data[16383] !== value) wrong.push(file);
    }
    expect(wrong).toEqual([]);
    expect(cache.counters).toMatchObject({ corrupt: 0, hits: entries.length });
  });
});

describe('in-memory and disabled caches', () => {
  it('memory cache copies features in and out, and evicts the oldest past maxEntries', async () => {
    const cache = createMemoryFeatureCache({ maxEntries: 2 });
    const original = feature([1, 2]);
    await cache.put(sha256('a'), original);
    (original.data as Float32Array)[0] = 99;
    const got = await cache.get(sha256('a'));
    expect(got).toEqual(feature([1, 2]));
    (got!.data as Float32Array)[1] = 99;
    expect(await cache.get(sha256('a'))).toEqual(feature([1, 2]));
    await cache.put(sha256('b'), feature([2]));
    await cache.put(sha256('c'), feature([3]));
    expect(await cache.get(sha256('a'))).toBeUndefined();
    expect(await cache.get(sha256('c'))).toEqual(feature([3]));
  });

  it('disabled cache never hits', async () => {
    const cache = disabledFeatureCache();
    await cache.put(sha256('a'), feature([1]));
    expect(await cache.get(sha256('a'))).toBeUndefined();
    expect(cache.counters.misses).toBe(1);
  });
});
