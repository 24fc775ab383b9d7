import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataset, OmnifuseError } from '@omnifuse/core';
import { loadModel } from '@omnifuse/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testExamples } from './examples.js';
import { demoPlugins, demoSpec, type PipelineResult, runPipeline } from './pipeline.js';

const SMALL = { train: 60, validation: 20, test: 30, epochs: 2, progress: false } as const;

describe('runPipeline on the generated set', () => {
  let out: string;
  let first: PipelineResult;

  beforeAll(async () => {
    out = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-demo-pipeline-'));
    first = await runPipeline({ out, ...SMALL });
  }, 240_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds the data, trains a three-input attention model, saves the bundle and the report', async () => {
    expect(first.reused).toBe(false);
    expect(first.inputFields).toEqual(['image', 'audio', 'hint']);
    expect(existsSync(path.join(first.bundleDir, 'omnifuse.json'))).toBe(true);
    expect(readFileSync(path.join(first.reportDir, 'report.html'), 'utf8')).toContain('<svg');
    const model = await loadModel(first.bundleDir, { registry: demoPlugins });
    try {
      expect(model.spec.fusion?.type).toBe('fusion:attention');
      expect(model.spec.inputs.every((input) => input.optional)).toBe(true);
      expect(model.task.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    } finally {
      model.dispose();
    }
  });

  it('scores the test split whole and with each input left out, and averages the fusion weights', () => {
    const { evaluation } = first;
    expect(evaluation.testSize).toBe(SMALL.test);
    expect(evaluation.epochs).toBeGreaterThan(0);
    expect(evaluation.accuracy).toBeGreaterThanOrEqual(0);
    expect(evaluation.accuracy).toBeLessThanOrEqual(1);
    expect(Object.keys(evaluation.without).sort()).toEqual(['audio', 'hint', 'image']);
    const weights = evaluation.meanFusionWeights!;
    expect(Object.keys(weights).sort()).toEqual(['audio', 'hint', 'image']);
    expect(Object.values(weights).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.evaluation).toEqual(JSON.parse(JSON.stringify(evaluation)));
  });

  it('reuses the run when data and settings are unchanged, and retrains when they change', async () => {
    const bundleTime = statSync(path.join(first.bundleDir, 'omnifuse.json')).mtimeMs;
    const again = await runPipeline({ out, ...SMALL });
    expect(again.reused).toBe(true);
    expect(again.evaluation).toEqual(JSON.parse(JSON.stringify(first.evaluation)));
    expect(statSync(path.join(first.bundleDir, 'omnifuse.json')).mtimeMs).toBe(bundleTime);
    const longer = await runPipeline({ out, ...SMALL, epochs: 1 });
    expect(longer.reused).toBe(false);
    expect(longer.evaluation.epochs).toBe(1);
  }, 240_000);

  it('trains each input alone with --baselines, once, and keeps the fusion model', async () => {
    const bundleTime = statSync(path.join(first.bundleDir, 'omnifuse.json')).mtimeMs;
    const withBaselines = await runPipeline({ out, ...SMALL, epochs: 1, baselines: true });
    expect(withBaselines.reused).toBe(true);
    const baselines = withBaselines.evaluation.baselines!;
    expect(Object.keys(baselines)).toEqual(['image', 'audio', 'hint']);
    for (const accuracy of Object.values(baselines)) {
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
    }
    expect(statSync(path.join(first.bundleDir, 'omnifuse.json')).mtimeMs).toBe(bundleTime);
    const again = await runPipeline({ out, ...SMALL, epochs: 1, baselines: true });
    expect(again.evaluation.baselines).toEqual(baselines);
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).evaluation.baselines).toEqual(
      baselines,
    );
  }, 240_000);

  it('offers one test example per label with the model inputs as data URIs', async () => {
    const examples = await testExamples(first.manifestPath, first.inputFields);
    expect(examples.length).toBeGreaterThan(1);
    expect(new Set(examples.map((e) => e.label)).size).toBe(examples.length);
    for (const example of examples) {
      expect(example.id).toMatch(/^test-/);
      expect(example.inputs.image).toMatch(/^data:image\/png;base64,iVBOR/);
      expect(example.inputs.audio).toMatch(/^data:audio\/wav;base64,UklGR/);
      if ('hint' in example.inputs) expect(example.inputs.hint!.trim()).not.toBe('');
    }
  });

  it('trains on an AV-MNIST-style folder given with --data (image + audio, extra fields ignored)', async () => {
    const avDir = path.join(out, 'av');
    const lines = readFileSync(first.manifestPath, 'utf8').trim().split('\n');
    // The generated set without its hints, plus AV-MNIST's bookkeeping fields: the source clip's
    // file name (it reads as an audio field) and the MNIST index.
    const records = lines.map((line, i) => {
      const { hint: _hint, ...rest } = JSON.parse(line);
      return { ...rest, mnist: `train:${i}`, clip: `${rest.label}_speaker_${i % 50}.wav`, gain: 1 + i / 10 };
    });
    rmSync(avDir, { recursive: true, force: true });
    cpSync(path.join(out, 'data'), avDir, { recursive: true });
    writeFileSync(
      path.join(avDir, 'manifest.jsonl'),
      `${records.map((r) => JSON.stringify(r)).join('\n')}\n`,
    );
    const result = await runPipeline({
      out: path.join(out, 'av-run'),
      data: avDir,
      epochs: 1,
      progress: false,
    });
    expect(result.inputFields).toEqual(['image', 'audio']);
    expect(result.dataDir).toBe(avDir);
    expect(Object.keys(result.evaluation.without).sort()).toEqual(['audio', 'image']);

    const imageOnly = await runPipeline({
      out: path.join(out, 'av-image'),
      data: avDir,
      inputs: ['image'],
      epochs: 1,
      progress: false,
    });
    expect(imageOnly.inputFields).toEqual(['image']);
    expect(imageOnly.evaluation.without).toEqual({});
    const error = await runPipeline({
      out: path.join(out, 'av-bad'),
      data: avDir,
      inputs: ['image', 'gain'],
    }).catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect((error as OmnifuseError).field).toBe('gain');
    expect((error as OmnifuseError).message).toMatch(
      /input "gain" must be an image, audio or text field.*gain \(number\)/,
    );
  }, 240_000);
});

describe('runPipeline and demoSpec refuse what they cannot use', () => {
  it('names the folder when --data has no manifest', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-demo-empty-'));
    try {
      const error = await runPipeline({ out: path.join(empty, 'out'), data: empty }).catch((e: unknown) => e);
      expect(OmnifuseError.isInstance(error)).toBe(true);
      expect((error as OmnifuseError).message).toContain('has no manifest.jsonl');
      expect((error as OmnifuseError).file).toBe(path.join(empty, 'manifest.jsonl'));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('lists the fields it found when there is no label or no usable input', () => {
    const noLabel = createDataset([{ image: 'a.png', digit: '1' }], { fieldTypes: { image: 'image' } });
    expect(() => demoSpec(noLabel, { epochs: 1, seed: 1 })).toThrow(/needs a "label" field.*image \(image\)/);
    const noInput = createDataset([{ size: 3, label: 'a' }], {});
    expect(() => demoSpec(noInput, { epochs: 1, seed: 1 })).toThrow(
      /at least one image, audio or text field/,
    );
  });

  it('uses a seeded random split when the data has no split column', () => {
    const dataset = createDataset([{ caption: 'a small red car parked outside', label: 'car' }], {
      fieldTypes: { caption: 'text' },
    });
    const spec = demoSpec(dataset, { epochs: 3, seed: 7 });
    expect(spec.split).toEqual({
      type: 'random',
      ratios: { train: 0.7, validation: 0.1, test: 0.2 },
      seed: 7,
    });
    expect(spec.inputs.map((i) => i.encoder)).toEqual(['text:tfidf']);
  });
});
