// Preprocessing in threads (@omnifuse/trainer's createPreprocessPool) on real WAV files: the batch
// equals the calling thread's byte for byte, a broken file fails with the same record and code,
// and the threads fill the shared disk cache that a later pass reads.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createDataset,
  createFeatureCache,
  createRegistry,
  type EncoderV1,
  parseModelSpec,
  preprocessField,
} from '@omnifuse/core';
import { wavWithTruncatedHeader } from '@omnifuse/test-utils/audio-corpus';
import { createPreprocessPool, fitEncoders, MIN_PARALLEL_RECORDS } from '@omnifuse/trainer';
import { afterAll, describe, expect, it } from 'vitest';
import { cnn2dEncoderPlugin } from './encoders/cnn2d.js';
import { encodeWav } from './index.js';

const work = mkdtempSync(path.join(tmpdir(), 'omnifuse-parallel-preprocess-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const options = {
  preprocess: {
    sampleRate: 8000,
    duration: 0.5,
    features: { kind: 'mfcc', nFft: 256, hopLength: 128, nMels: 32, nMfcc: 13 },
  },
  extraBlocks: 1,
};

/** `count` tones of different pitch and length as 16-bit WAV files, plus one truncated file at row 17. */
function writeClips(count: number) {
  const records = Array.from({ length: count }, (_, i) => {
    const file = `clip-${i}.wav`;
    if (i === 17) writeFileSync(path.join(work, file), wavWithTruncatedHeader());
    else {
      const length = 2000 + 37 * i;
      const samples = Float32Array.from(
        { length },
        (_, t) => 0.5 * Math.sin((2 * Math.PI * (200 + 11 * i) * t) / 8000),
      );
      writeFileSync(path.join(work, file), encodeWav(samples, 8000));
    }
    return { id: `c${i}`, audio: file, label: String(i % 3) };
  });
  return createDataset(records, { root: work, fieldTypes: { audio: 'audio' } });
}

describe('preprocessing in threads', () => {
  it('gives the calling thread’s features, failures and stats, and fills the shared cache', async () => {
    const dataset = writeClips(MIN_PARALLEL_RECORDS + 36);
    const spec = parseModelSpec({
      inputs: [{ field: 'audio', encoder: 'audio:cnn2d', options }],
      output: { type: 'classification', field: 'label' },
    });
    const fitted = (
      await fitEncoders(spec, createRegistry([cnn2dEncoderPlugin]), dataset.subset([0, 1, 2, 3]))
    ).audio!;
    const encoder = fitted.encoder as EncoderV1<unknown, unknown>;
    const state = fitted.state;
    const single = await preprocessField(dataset, 'audio', encoder, state, { invalid: 'collect' });
    const cacheDir = path.join(work, 'cache');
    const pool = createPreprocessPool({
      jobs: 2,
      plugins: { modules: ['@omnifuse/modality-audio'], baseDir: process.cwd() },
    });
    try {
      const recipe = { id: encoder.id, options, state };
      let progressDone = 0;
      const threaded = await pool.preprocessField(dataset, 'audio', encoder, recipe, {
        invalid: 'collect',
        cache: createFeatureCache({ dir: cacheDir }),
        onProgress: (p) => {
          progressDone = p.done;
        },
      });
      expect(progressDone).toBe(dataset.size);
      expect(threaded.shape).toEqual(single.shape);
      expect(Buffer.from(threaded.data.buffer).equals(Buffer.from(single.data.buffer))).toBe(true);
      expect([...threaded.presence]).toEqual([...single.presence]);
      expect(threaded.failures.map((f) => [f.index, f.record, f.code])).toEqual([
        [17, 'c17', single.failures[0]!.code],
      ]);
      expect(threaded.failures[0]!.error.record).toBe('c17');
      expect(threaded.stats).toEqual(single.stats);
      // A second pass finds every feature the threads wrote.
      const again = await pool.preprocessField(dataset, 'audio', encoder, recipe, {
        invalid: 'collect',
        cache: createFeatureCache({ dir: cacheDir }),
      });
      expect(again.stats.hits).toBe(dataset.size - 1);
      // Only the broken file is tried again: it has no entry.
      expect(again.stats.computed).toBe(1);
      // `into` arrays (as packing a split reuses them chunk after chunk): shared ones are written by
      // the threads in place, other ones receive a copy; stale values in them never survive.
      const rowSize = single.data.length / dataset.size;
      for (const Buffer_ of [SharedArrayBuffer, ArrayBuffer]) {
        const data = new Float32Array(new Buffer_((dataset.size + 3) * rowSize * 4)).fill(7);
        const presence = new Float32Array(new Buffer_((dataset.size + 3) * 4)).fill(7);
        const into = await pool.preprocessField(dataset, 'audio', encoder, recipe, {
          invalid: 'collect',
          cache: createFeatureCache({ dir: cacheDir }),
          into: { data, presence, offset: 3 },
        });
        expect([...into.data]).toEqual([...single.data]);
        expect([...into.presence]).toEqual([...single.presence]);
        expect([...data.subarray(3 * rowSize)]).toEqual([...single.data]);
        expect([...presence.subarray(3)]).toEqual([...single.presence]);
        expect(data[0]).toBe(7);
      }
      // `invalid: 'throw'`: the thread's error arrives as the OmnifuseError naming the record.
      await expect(pool.preprocessField(dataset, 'audio', encoder, recipe, {})).rejects.toMatchObject({
        code: single.failures[0]!.code,
        record: 'c17',
        field: 'audio',
      });
    } finally {
      await pool.close();
    }
  });
});
