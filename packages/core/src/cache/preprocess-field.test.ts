import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sharedDataPath } from '@omnifuse/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManifest } from '../dataset/dataset.js';
import type { Dataset } from '../dataset/types.js';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { EncoderV1, Feature, MediaRef } from '../spec/index.js';
import { createFeatureCache, createMemoryFeatureCache } from './feature-cache.js';
import { preprocessField } from './preprocess-field.js';

const FSDD = sharedDataPath('fsdd', 'recordings');
const CLIPS = ['0_george_0.wav', '1_jackson_0.wav', '2_theo_0.wav', '3_nicolas_0.wav'];

interface CountingState {
  readonly offset: number;
}

/**
 * A mock encoder whose feature is [byte or char count, scaled mean, state offset]; it counts its
 * `preprocess` calls (the "decodes") and the most calls in flight at once.
 */
function countingEncoder(id: string, options: { scale: number; version?: string; delayMs?: number }) {
  const counter = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const encoder: EncoderV1<unknown, CountingState> = {
    specificationVersion: 'v1',
    id,
    modality: id.startsWith('audio') ? 'audio' : 'text',
    version: options.version ?? '1.0.0',
    options: { scale: options.scale },
    fit: () => ({ offset: 0 }),
    async preprocess(raw, state, context): Promise<Feature> {
      counter.calls++;
      counter.inFlight++;
      counter.maxInFlight = Math.max(counter.maxInFlight, counter.inFlight);
      try {
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        const bytes =
          typeof raw === 'string' ? new TextEncoder().encode(raw) : await context.readMedia(raw as MediaRef);
        let sum = 0;
        for (const b of bytes) sum += b;
        return {
          dtype: 'float32',
          shape: [3],
          data: Float32Array.from([bytes.length, (sum / bytes.length) * options.scale, state.offset]),
        };
      } finally {
        counter.inFlight--;
      }
    },
    featureSpec: () => ({ dtype: 'float32', shape: [3] }),
    build: () => {
      throw new Error('not used');
    },
  };
  return { encoder, counter };
}

let dir: string;
let cacheDir: string;
let dataset: Dataset;
const state = { offset: 0.5 };

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-features-'));
  cacheDir = path.join(dir, '.cache');
  const haveFsdd = existsSync(FSDD);
  CLIPS.forEach((clip, i) => {
    const target = path.join(dir, 'clips', clip);
    if (i === 0) mkdirSync(path.dirname(target), { recursive: true });
    // Real FSDD recordings when the shared data is there, else small synthetic bytes.
    if (haveFsdd) copyFileSync(path.join(FSDD, clip), target);
    else
      writeFileSync(
        target,
        Uint8Array.from({ length: 500 + 100 * i }, (_, k) => (k * (i + 3)) % 256),
      );
  });
  const records = [
    { id: 'a', audio: `clips/${CLIPS[0]}`, text: 'one spoken digit' },
    { id: 'b', audio: `clips/${CLIPS[1]}`, text: '' },
    { id: 'c', audio: null, text: 'no audio here' },
    { id: 'd', audio: `clips/${CLIPS[2]}`, text: 'third clip' },
    { id: 'e', audio: `clips/${CLIPS[3]}`, text: 'fourth clip' },
  ];
  writeFileSync(path.join(dir, 'manifest.jsonl'), records.map((r) => JSON.stringify(r)).join('\n'));
  dataset = await loadManifest(path.join(dir, 'manifest.jsonl'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('preprocessField', () => {
  it('stacks features, marks missing values with presence 0 and zeros, and reads each file once', async () => {
    const { encoder, counter } = countingEncoder('audio:mock', { scale: 1 });
    const batch = await preprocessField(dataset, 'audio', encoder, state, {
      cache: createFeatureCache({ dir: cacheDir }),
    });
    expect(batch.shape).toEqual([5, 3]);
    expect(batch.dtype).toBe('float32');
    expect([...batch.presence]).toEqual([1, 1, 0, 1, 1]);
    expect([...batch.data.subarray(6, 9)]).toEqual([0, 0, 0]);
    expect(batch.data[0]).toBe(statSync(path.join(dir, 'clips', CLIPS[0]!)).size);
    expect(batch.data[2]).toBe(0.5);
    expect(batch.stats).toEqual({ hits: 0, misses: 4, computed: 4, missing: 1, mediaReads: 4 });
    expect(counter.calls).toBe(4);
  });

  it('computes nothing on a second pass over the same manifest', async () => {
    const audio = countingEncoder('audio:mock', { scale: 1 });
    const text = countingEncoder('text:mock', { scale: 1 });
    const first = await preprocessField(dataset, 'audio', audio.encoder, state, {
      cache: createFeatureCache({ dir: cacheDir }),
    });
    await preprocessField(dataset, 'text', text.encoder, state, {
      cache: createFeatureCache({ dir: cacheDir }),
    });
    expect([audio.counter.calls, text.counter.calls]).toEqual([4, 4]);

    // A fresh cache object over the same folder, as in a new process.
    const cache = createFeatureCache({ dir: cacheDir });
    const again = await preprocessField(dataset, 'audio', audio.encoder, state, { cache });
    const textAgain = await preprocessField(dataset, 'text', text.encoder, state, { cache });
    expect(again.stats).toMatchObject({ hits: 4, misses: 0, computed: 0 });
    expect(textAgain.stats).toMatchObject({ hits: 4, misses: 0, computed: 0, missing: 1 });
    expect([audio.counter.calls, text.counter.calls]).toEqual([4, 4]);
    expect(again.data).toEqual(first.data);
  });

  it('recomputes only the field whose encoder option, version or state changed', async () => {
    const cache = createFeatureCache({ dir: cacheDir });
    await preprocessField(dataset, 'audio', countingEncoder('audio:mock', { scale: 1 }).encoder, state, {
      cache,
    });
    await preprocessField(dataset, 'text', countingEncoder('text:mock', { scale: 1 }).encoder, state, {
      cache,
    });

    const scaled = countingEncoder('audio:mock', { scale: 2 });
    const text = countingEncoder('text:mock', { scale: 1 });
    const audioBatch = await preprocessField(dataset, 'audio', scaled.encoder, state, { cache });
    const textBatch = await preprocessField(dataset, 'text', text.encoder, state, { cache });
    expect(audioBatch.stats).toMatchObject({ hits: 0, computed: 4 });
    expect(textBatch.stats).toMatchObject({ hits: 4, computed: 0 });
    expect(text.counter.calls).toBe(0);

    const bumped = countingEncoder('text:mock', { scale: 1, version: '1.0.1' });
    expect((await preprocessField(dataset, 'text', bumped.encoder, state, { cache })).stats.computed).toBe(4);
    const refitted = await preprocessField(dataset, 'text', text.encoder, { offset: 0.25 }, { cache });
    expect(refitted.stats.computed).toBe(4);
    expect(refitted.data[2]).toBe(0.25);
  });

  it('recomputes only the record whose file content changed', async () => {
    const cache = createFeatureCache({ dir: cacheDir });
    const { encoder, counter } = countingEncoder('audio:mock', { scale: 1 });
    const first = await preprocessField(dataset, 'audio', encoder, state, { cache });
    writeFileSync(path.join(dir, 'clips', CLIPS[2]!), Uint8Array.from([1, 2, 3]));
    const second = await preprocessField(dataset, 'audio', encoder, state, { cache });
    expect(second.stats).toMatchObject({ hits: 3, computed: 1 });
    expect(counter.calls).toBe(5);
    expect([...second.data.subarray(9, 12)]).toEqual([3, 2, 0.5]);
    expect(second.data.subarray(0, 9)).toEqual(first.data.subarray(0, 9));
  });

  it('detects a truncated cache entry as a miss and rewrites it', async () => {
    const cache = createFeatureCache({ dir: cacheDir });
    const { encoder } = countingEncoder('text:mock', { scale: 1 });
    const first = await preprocessField(dataset, 'text', encoder, state, { cache });
    const entries = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.bin'),
    );
    expect(entries).toHaveLength(4);
    truncateSync(path.join(cacheDir, entries[0]!), 20);
    const second = await preprocessField(dataset, 'text', encoder, state, { cache });
    expect(second.stats).toMatchObject({ hits: 3, misses: 1, computed: 1 });
    expect(cache.counters.corrupt).toBe(1);
    expect(second.data).toEqual(first.data);
    const third = await preprocessField(dataset, 'text', encoder, state, { cache });
    expect(third.stats).toMatchObject({ hits: 4, computed: 0 });
  });

  it('bounds concurrency and reports progress', async () => {
    const { encoder, counter } = countingEncoder('audio:mock', { scale: 1, delayMs: 5 });
    const progress: number[] = [];
    await preprocessField(dataset, 'audio', encoder, state, {
      concurrency: 2,
      onProgress: (p) => progress.push(p.done),
    });
    expect(counter.maxInFlight).toBe(2);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it('works with the in-memory cache', async () => {
    const cache = createMemoryFeatureCache();
    const { encoder, counter } = countingEncoder('text:mock', { scale: 1 });
    await preprocessField(dataset, 'text', encoder, state, { cache });
    await preprocessField(dataset, 'text', encoder, state, { cache });
    expect(counter.calls).toBe(4);
  });

  it('writes into arrays given, at their offset (as preprocessing threads share one field), and checks their size', async () => {
    const { encoder } = countingEncoder('audio:mock', { scale: 1 });
    const alone = await preprocessField(dataset, 'audio', encoder, state);
    const data = new Float32Array(new SharedArrayBuffer(4 * 3 * 7)).fill(-1);
    const presence = new Float32Array(new SharedArrayBuffer(4 * 7)).fill(-1);
    const batch = await preprocessField(dataset, 'audio', encoder, state, {
      into: { data, presence, offset: 2 },
    });
    expect([...batch.data]).toEqual([...alone.data]);
    expect([...presence]).toEqual([-1, -1, 1, 1, 0, 1, 1]);
    expect([...data.subarray(0, 6)]).toEqual([-1, -1, -1, -1, -1, -1]);
    expect([...data.subarray(6)]).toEqual([...alone.data]);
    const tooSmall = preprocessField(dataset, 'audio', encoder, state, {
      into: { data, presence, offset: 3 },
    });
    await expect(tooSmall).rejects.toMatchObject({ code: ErrorCode.InvalidOptions });
    const wrongType = preprocessField(dataset, 'audio', encoder, state, {
      into: { data: new Int32Array(15), presence: new Float32Array(5), offset: 0 },
    });
    await expect(wrongType).rejects.toMatchObject({ code: ErrorCode.InvalidOptions });
  });
});

describe('preprocessField errors', () => {
  async function failure(promise: Promise<unknown>): Promise<OmnifuseError> {
    try {
      await promise;
    } catch (error) {
      if (OmnifuseError.isInstance(error)) return error;
      throw error;
    }
    throw new Error('expected an OmnifuseError');
  }

  it('stamps an encoder failure with plugin, step, record and field', async () => {
    const { encoder } = countingEncoder('text:mock', { scale: 1 });
    const failing = {
      ...encoder,
      preprocess: (raw: unknown) => {
        if (raw === 'third clip') throw new Error('cannot tokenise');
        return encoder.preprocess(raw, state, {
          record: 0,
          field: 'text',
          readMedia: async () => new Uint8Array(),
        });
      },
    };
    const error = await failure(preprocessField(dataset, 'text', failing, state, { concurrency: 1 }));
    expect(error).toMatchObject({
      code: ErrorCode.PluginFailed,
      plugin: 'text:mock',
      step: 'preprocess',
      record: 'd',
      field: 'text',
    });
    expect(error.message).toMatch(/cannot tokenise/);
  });

  it('refuses features of the wrong shape, dtype or with NaN', async () => {
    const { encoder } = countingEncoder('text:mock', { scale: 1 });
    const wrongShape = { ...encoder, featureSpec: () => ({ dtype: 'float32' as const, shape: [4] }) };
    expect(await failure(preprocessField(dataset, 'text', wrongShape, state))).toMatchObject({
      code: ErrorCode.PluginFailed,
      field: 'text',
    });
    const wrongType = { ...encoder, featureSpec: () => ({ dtype: 'int32' as const, shape: [3] }) };
    expect((await failure(preprocessField(dataset, 'text', wrongType, state))).code).toBe(
      ErrorCode.PluginFailed,
    );
    const nan = countingEncoder('text:mock', { scale: Number.NaN }).encoder;
    const error = await failure(preprocessField(dataset, 'text', nan, state, { concurrency: 1 }));
    expect(error).toMatchObject({ code: ErrorCode.InvalidInput, record: 'a', field: 'text' });
  });

  it('names record, field and file when a media file is gone', async () => {
    rmSync(path.join(dir, 'clips', CLIPS[1]!));
    const { encoder } = countingEncoder('audio:mock', { scale: 1 });
    const error = await failure(preprocessField(dataset, 'audio', encoder, state, { concurrency: 1 }));
    expect(error).toMatchObject({ record: 'b', field: 'audio', file: path.join(dir, 'clips', CLIPS[1]!) });
  });

  it('names a field that is in no record', async () => {
    const { encoder } = countingEncoder('text:mock', { scale: 1 });
    expect((await failure(preprocessField(dataset, 'nope', encoder, state))).code).toBe(
      ErrorCode.MissingField,
    );
  });
});

describe('preprocessField with decoded values in a media field', () => {
  it('passes decoded pixels through unchanged and caches them by content', async () => {
    const seen: unknown[] = [];
    const encoder: EncoderV1<unknown, null> = {
      specificationVersion: 'v1',
      id: 'image:sum',
      modality: 'image',
      version: '1',
      options: {},
      fit: () => null,
      featureSpec: () => ({ dtype: 'float32', shape: [1] }),
      preprocess(raw) {
        seen.push(raw);
        const { data } = raw as { data: Uint8Array };
        return { dtype: 'float32', shape: [1], data: Float32Array.of(data.reduce((a, b) => a + b, 0)) };
      },
      build: () => {
        throw new Error('not used');
      },
    };
    const pixels = (v: number) => ({ width: 2, height: 2, channels: 1, data: Uint8Array.of(v, v, v, v) });
    const { createDataset } = await import('../dataset/dataset.js');
    const dataset = createDataset([{ image: pixels(1) }, { image: pixels(2) }, { image: pixels(1) }]);
    const cache = createMemoryFeatureCache();
    const batch = await preprocessField(dataset, 'image', encoder, null, { cache, concurrency: 1 });
    expect(Array.from(batch.data)).toEqual([4, 8, 4]);
    expect(seen[0]).toEqual(pixels(1));
    expect(batch.stats.mediaReads).toBe(0);
    expect(batch.stats.computed).toBe(2);
  });
});
