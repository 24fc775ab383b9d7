import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataset, loadManifest, parseModelSpec } from '@omnifuse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMediaDataset } from '../test/media-dataset.js';
import { inferConfig } from './infer-config.js';
import { sampleMedia } from './media-sample.js';
import { pluginSearchDirs } from './plugins.js';

const records = Array.from({ length: 30 }, (_, i) => ({
  id: i,
  photo: `img/${i}.png`,
  clip: `audio/${i}.wav`,
  age: 20 + i,
  colour: ['red', 'green', 'blue'][i % 3],
  split: i < 20 ? 'train' : 'test',
  price: i * 1.5,
}));

describe('inferConfig', () => {
  it('picks an encoder per type, a fusion, and the split column', () => {
    const dataset = createDataset(records);
    const { config, fields } = inferConfig(dataset, { label: 'price', data: 'data.jsonl' });
    const spec = parseModelSpec(config);
    expect(spec.inputs.map((i) => [i.field, i.encoder])).toEqual([
      ['photo', 'vision:cnn'],
      ['clip', 'audio:cnn2d'],
      ['age', 'vector:mlp'],
      ['colour', 'text:tfidf'],
    ]);
    expect(spec.output.type).toBe('regression');
    expect(spec.split).toEqual({ type: 'column', column: 'split' });
    expect(spec.plugins).toEqual([
      '@omnifuse/fusion-concat',
      '@omnifuse/modality-audio',
      '@omnifuse/modality-text',
      '@omnifuse/modality-vision',
    ]);
    expect(fields.find((f) => f.field === 'id')?.role).toBe('skipped');
  });

  it('guesses a category label and stratifies by it; names the field when it cannot', () => {
    const dataset = createDataset(records.map(({ id, age, colour }) => ({ id, age, colour })));
    const { config } = inferConfig(dataset, { data: 'd.csv' });
    expect(config.output).toEqual({ type: 'classification', field: 'colour' });
    expect(config.split).toMatchObject({ type: 'stratified', by: 'colour' });
    expect(config.fusion).toBeUndefined();
    expect(() => inferConfig(createDataset([{ a: 1 }, { a: 2 }]), { data: 'd' })).toThrow(/--label/);
    expect(() => inferConfig(dataset, { label: 'nope', data: 'd' })).toThrow(/field "nope"/);
  });
});

describe('inferConfig with a sample of the media', () => {
  let dir: string;
  let manifest: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-infer-media-'));
    manifest = await writeMediaDataset(dir, { photos: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps small grey images as they are, caps large ones, and sizes audio from the clips', async () => {
    const dataset = await loadManifest(manifest);
    const media = await sampleMedia(dataset, pluginSearchDirs(dir));
    expect(media.digit).toEqual({ kind: 'image', count: 12, width: 28, height: 28, grey: true });
    expect(media.photo).toEqual({ kind: 'image', count: 12, width: 640, height: 480, grey: false });
    expect(media.clip).toMatchObject({ kind: 'audio', count: 12, sampleRate: 8000, medianSeconds: 0.675 });
    const { config, fields } = inferConfig(dataset, { data: 'data.jsonl', media });
    const preprocess = Object.fromEntries(
      config.inputs.map((i) => [i.field, (i.options as { preprocess?: unknown } | undefined)?.preprocess]),
    );
    expect(preprocess.digit).toEqual({ size: { width: 28, height: 28 }, channels: 1 });
    expect(preprocess.photo).toEqual({ size: { width: 128, height: 96 }, channels: 3 });
    // Clips of 0.5–0.95 s, 3 in 4 at most 0.81 s: 0.9 s at their own 8 kHz.
    expect(preprocess.clip).toMatchObject({ sampleRate: 8000, duration: 0.9 });
    expect(fields.find((f) => f.field === 'clip')?.why).toMatch(
      /^8 kHz clips of 0\.68 s median \(12 sampled\): 20 MFCCs at 8 kHz over 0\.9 s \(57 frames/,
    );
    parseModelSpec(config);
  });

  it('says why when the headers cannot be sampled', async () => {
    const dataset = await loadManifest(manifest);
    // No folder above the system's temporary folder installs the modality packages.
    const media = await sampleMedia(dataset, [os.tmpdir()]);
    expect(media.digit).toEqual({
      kind: 'none',
      reason: expect.stringContaining('@omnifuse/modality-vision is not installed'),
    });
    const { fields } = inferConfig(dataset, { data: 'data.jsonl', media });
    expect(fields.find((f) => f.field === 'clip')?.why).toContain(
      '@omnifuse/modality-audio is not installed',
    );
  });
});
