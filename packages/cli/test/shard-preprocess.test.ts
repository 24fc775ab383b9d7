// Acceptance test for `omnifuse preprocess --shard i/N` (preprocessing across machines): three shard
// processes run at once on one cache folder, then a final `preprocess` there computes nothing, and
// the folder holds exactly the entries, byte for byte, of a single unsharded run into another folder
// (and of two unsharded runs racing on a third).
// The data are real files made here: PNG images, WAV clips (with `standardize: 'global'`, a fit that
// reads the media) and text (a TF-IDF vocabulary), so every encoder's fit must be deterministic.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import { pcmWav } from '@omnifuse/test-utils/audio-corpus';
import { pngChunk } from '@omnifuse/test-utils/image-corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/run.js';
import { rowsOfShard, shardOfRecord } from '../src/shard.js';

const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const cliEntry = path.resolve(import.meta.dirname, '../src/cli.ts');

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI from source in a child process, as a user (or a Kubernetes pod) runs the bin. */
function omnifuse(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', tsx, cliEntry, ...args],
      { cwd: root, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const RECORDS = 30;
let root: string;

/** A 28×28 greyscale PNG of a ring whose centre and radius depend on `i`: different bytes each. */
function ringPng(i: number): Uint8Array {
  const side = 28;
  const rows = new Uint8Array((side + 1) * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const r = Math.hypot((x - 10 - (i % 8)) / (4 + (i % 3)), (y - 10 - (i % 7)) / 6);
      rows[y * (side + 1) + 1 + x] = Math.round(255 * Math.max(0, 1 - Math.abs(r - 1) * 3));
    }
  }
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, side);
  new DataView(header.buffer).setUint32(4, side);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit grey, deflate, no filter, no interlace
  return Buffer.concat([
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** 0.25 s of a tone at 8 kHz whose pitch depends on `i`. */
function toneWav(i: number): Uint8Array {
  const hz = 220 + 37 * i;
  const samples = Float64Array.from(
    { length: 2000 },
    (_, t) => 0.5 * Math.sin((2 * Math.PI * hz * t) / 8000),
  );
  return pcmWav(8000, [samples], 16);
}

/** Every entry of a cache folder by its path under it, with a hash of its bytes; temp files too. */
function cacheEntries(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isFile()) {
      entries.set(name, createHash('sha256').update(readFileSync(file)).digest('hex'));
    }
  }
  return entries;
}

/** A stream that keeps what is written to it, for `run(argv, io)` in this process. */
function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

type FieldSummary = { records: number; hits: number; computed: number; missing: number; failed: number };
interface Summary {
  cache: string;
  shard?: { index: number; count: number; records: Record<string, number> };
  splits: Record<string, Record<string, FieldSummary>>;
  fingerprints: Record<string, string>;
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-shard-'));
  mkdirSync(path.join(root, 'media'));
  const words = ['river', 'stone', 'cloud', 'ember', 'maple', 'harbor', 'quartz', 'willow', 'copper'];
  const rows = Array.from({ length: RECORDS }, (_, i) => {
    const id = `rec-${String(i).padStart(3, '0')}`;
    writeFileSync(path.join(root, 'media', `${id}.png`), ringPng(i));
    writeFileSync(path.join(root, 'media', `${id}.wav`), toneWav(i));
    return {
      id,
      image: `media/${id}.png`,
      audio: `media/${id}.wav`,
      note: `${words[i % words.length]} ${words[(i * 5 + 2) % words.length]} number ${i}`,
      label: i % 2 === 0 ? 'even' : 'odd',
    };
  });
  writeFileSync(path.join(root, 'data.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  writeFileSync(
    path.join(root, 'omnifuse.json'),
    JSON.stringify({
      data: 'data.jsonl',
      plugins: [
        '@omnifuse/modality-vision',
        '@omnifuse/modality-audio',
        '@omnifuse/modality-text',
        '@omnifuse/fusion-concat',
      ],
      inputs: [
        {
          field: 'image',
          encoder: 'vision:cnn',
          options: {
            preset: 'lenet',
            inChannels: 1,
            preprocess: { size: { width: 28, height: 28 }, channels: 1 },
          },
        },
        {
          field: 'audio',
          encoder: 'audio:cnn1d',
          options: {
            preprocess: {
              sampleRate: 8000,
              duration: 0.25,
              features: { kind: 'mfcc', nFft: 256, nMels: 20, nMfcc: 8 },
              standardize: 'global',
            },
          },
        },
        { field: 'note', encoder: 'text:tfidf' },
      ],
      fusion: { type: 'fusion:concat' },
      output: { type: 'classification', field: 'label' },
      split: { type: 'stratified', by: 'label', ratios: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 3 },
      training: { epochs: 1, batchSize: 8 },
      backend: 'cpu',
    }),
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('omnifuse preprocess --shard', () => {
  it('3 concurrent shard processes fill the cache a single run fills; a final run computes nothing', async () => {
    const shared = path.join(root, 'shared-cache');
    const single = path.join(root, 'single-cache');
    // Two unsharded processes at once on a third folder: every key written by both, at about the
    // same moment, which must neither fail nor leave a damaged or stray file.
    const racing = path.join(root, 'racing-cache');
    const runs = await Promise.all([
      ...[0, 1, 2].map((i) =>
        omnifuse(['preprocess', 'omnifuse.json', '--cache', shared, '--shard', `${i}/3`, '--jobs', '1']),
      ),
      omnifuse(['preprocess', 'omnifuse.json', '--cache', single, '--jobs', '1']),
      omnifuse(['preprocess', 'omnifuse.json', '--cache', racing, '--jobs', '1']),
      omnifuse(['preprocess', 'omnifuse.json', '--cache', racing, '--jobs', '1']),
    ]);
    for (const result of runs) expect(result.code, result.stderr).toBe(0);
    const summaries = runs.slice(0, 4).map((r) => JSON.parse(r.stdout) as Summary);
    const shards = summaries.slice(0, 3);
    const whole = summaries[3]!;

    expect(whole.shard).toBeUndefined();
    // Together the shards cover each split; a shard with none of a small split's records skips it.
    for (const split of ['train', 'validation', 'test']) {
      const records = shards.map((s) => s.shard!.records[split]!);
      expect(
        records.reduce((a, b) => a + b),
        split,
      ).toBe(whole.splits[split]!.image!.records);
    }
    expect(shards.map((s) => [s.shard!.index, s.shard!.count])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    // Every process fitted the same encoders (a fit reading all the training media included).
    for (const s of shards) expect(s.fingerprints).toEqual(whole.fingerprints);
    // Each record's features were computed by exactly one shard.
    for (const [split, fields] of Object.entries(whole.splits)) {
      for (const [field, stats] of Object.entries(fields)) {
        const computed = shards.map((s) => s.splits[split]?.[field]?.computed ?? 0);
        expect(
          computed.reduce((a, b) => a + b),
          `${split}/${field}`,
        ).toBe(stats.computed);
        expect(stats.computed).toBe(stats.records);
      }
    }

    const final = await omnifuse(['preprocess', 'omnifuse.json', '--cache', shared, '--jobs', '1']);
    expect(final.code, final.stderr).toBe(0);
    const again = JSON.parse(final.stdout) as Summary;
    for (const [split, fields] of Object.entries(whole.splits)) {
      for (const [field, stats] of Object.entries(fields)) {
        expect(again.splits[split]![field], `${split}/${field}`).toEqual({
          ...stats,
          hits: stats.records,
          computed: 0,
        });
      }
    }

    const sharded = cacheEntries(shared);
    const reference = cacheEntries(single);
    expect(reference.size).toBe(3 * RECORDS);
    // No temp file left behind by the concurrent writers.
    expect([...sharded.keys()].filter((name) => !name.endsWith('.bin'))).toEqual([]);
    expect(sharded).toEqual(reference);
    expect(cacheEntries(racing)).toEqual(reference);
  });

  it('assigns each record id to exactly one shard, by a documented hash of the id alone', () => {
    const ids = [
      ...Array.from({ length: 2000 }, (_, i) => `rec-${i}`),
      ...Array.from({ length: 500 }, (_, i) => i),
    ];
    for (const count of [1, 2, 3, 7]) {
      const shards = Array.from({ length: count }, (_, index) => rowsOfShard(ids, { index, count }));
      const rows = shards.flat().sort((a, b) => a - b);
      expect(rows).toEqual(ids.map((_, row) => row));
      // Roughly even: no shard more than 20% off its share.
      for (const shard of shards) expect(Math.abs(shard.length / (ids.length / count) - 1)).toBeLessThan(0.2);
    }
    // sha256 of the id as UTF-8, first 48 bits, mod N: what the README tells other tools.
    for (const id of ['rec-0', 'rec-1', 'r7', 42, 'ü-ñ']) {
      const hash = createHash('sha256').update(String(id), 'utf8').digest();
      expect(shardOfRecord(id, 5)).toBe(hash.readUIntBE(0, 6) % 5);
    }
    // By id, not by position: new and reordered records move no existing one, and a number id is
    // where its string form is.
    const before = rowsOfShard(['a', 'b', 'c', 'd'], { index: 1, count: 3 }).map(
      (row) => ['a', 'b', 'c', 'd'][row],
    );
    const grown = ['z', 'd', 'y', 'c', 'b', 'x', 'a'];
    const after = rowsOfShard(grown, { index: 1, count: 3 }).map((row) => grown[row]);
    expect(after.filter((id) => ['a', 'b', 'c', 'd'].includes(id!)).sort()).toEqual(before.sort());
    expect(shardOfRecord(42, 7)).toBe(shardOfRecord('42', 7));
  });

  it('refuses a --shard that is not i/N with 0 ≤ i < N as a usage error', async () => {
    for (const value of ['3/3', 'a/2', '1/0', '-1/2', '1/2/3', '1', '0/-2', '']) {
      const stdout = capture();
      const stderr = capture();
      const code = await run(['preprocess', 'omnifuse.json', `--shard=${value}`], {
        stdout: stdout.stream,
        stderr: stderr.stream,
        cwd: root,
      });
      expect(code, value).toBe(2);
      expect(stderr.text(), value).toContain('--shard must be i/N with N ≥ 1 and 0 ≤ i < N');
      expect(stderr.text(), value).toContain(`not "${value}"`);
      expect(stdout.text(), value).toBe('');
    }
  });
});
