import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Dataset, loadManifest, parseModelSpec } from '@omnifuse/core';
import audioPlugins from '@omnifuse/modality-audio';
import visionPlugins from '@omnifuse/modality-vision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMediaDataset } from '../test/media-dataset.js';
import { inferConfig } from './infer-config.js';
import { sampleMedia } from './media-sample.js';
import { findOversizedInputs } from './oversized-inputs.js';
import { pluginSearchDirs } from './plugins.js';

let dir: string;
let dataset: Dataset;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-oversized-'));
  dataset = await loadManifest(await writeMediaDataset(dir));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const find = (inputs: unknown[]) =>
  findOversizedInputs({
    spec: parseModelSpec({
      inputs,
      fusion: { type: 'fusion:concat' },
      output: { type: 'classification', field: 'label' },
    }),
    dataset,
    plugins: [...visionPlugins, ...audioPlugins],
    baseDir: dir,
    searchDirs: pluginSearchDirs(dir),
  });

describe('findOversizedInputs', () => {
  it("finds the encoders' default inputs far larger than 28×28 grey digits and short clips", async () => {
    const found = await find([
      { field: 'digit', encoder: 'vision:cnn' },
      { field: 'clip', encoder: 'audio:cnn2d' },
    ]);
    expect(found.map((f) => [f.field, f.shape, Math.round(f.ratio)])).toEqual([
      // 224×224 RGB against 28×28 grey.
      ['digit', [224, 224, 3], 192],
      // The 112-band spectrogram of 1.4 s against 20 MFCCs of 0.9 s (57 frames).
      ['clip', [113, 112, 1], 11],
    ]);
  });

  it('finds nothing in what init chooses, nor in an input at most 4× that', async () => {
    const media = await sampleMedia(dataset, pluginSearchDirs(dir));
    const { config } = inferConfig(dataset, { data: 'data.jsonl', media });
    expect(await find(config.inputs)).toEqual([]);
    const twice = await find([
      {
        field: 'digit',
        encoder: 'vision:cnn',
        options: { preprocess: { size: { width: 56, height: 56 }, channels: 1 } },
      },
    ]);
    expect(twice).toEqual([]);
  });
});
