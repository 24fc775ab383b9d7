import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvaluationReport, distribution } from './build-report.js';
import { renderReportHtml } from './render-html.js';
import { niceTicks } from './svg-charts.js';
import { writeReport } from './write-report.js';

const labels = ['cat', 'dog', 'bird'];
// 6 records: targets cat, cat, dog, dog, bird, bird; predictions by arg-max: cat, dog, dog, dog, cat, bird.
const targets = [0, 0, 1, 1, 2, 2];
const probabilities = [
  [0.7, 0.2, 0.1],
  [0.3, 0.6, 0.1],
  [0.1, 0.8, 0.1],
  [0.2, 0.5, 0.3],
  [0.9, 0.05, 0.05],
  [0.1, 0.2, 0.7],
].flat();
const history = {
  epochs: [
    { loss: 1.1, accuracy: 0.4, val_loss: 1.2, val_accuracy: 0.3, lr: 0.01 },
    { loss: 0.8, accuracy: 0.6, val_loss: 0.9, val_accuracy: 0.5, lr: 0.005 },
    { loss: 0.6, accuracy: 0.7, val_loss: 0.95, val_accuracy: 0.5, lr: 0.0025 },
  ],
  bestEpoch: 1,
  stoppedEarly: false,
  seconds: 1.5,
};

describe('buildEvaluationReport', () => {
  const report = buildEvaluationReport({
    task: { type: 'classification', field: 'animal' },
    labels,
    targets,
    predictions: probabilities,
    records: ['a', 'b', 'c', 'd', 'e', 'f'],
    history,
    fusionWeights: {
      inputs: ['image', 'audio'],
      values: [0.8, 0.2, 0.6, 0.4, 0.5, 0.5, 0.3, 0.7, 0.9, 0.1, 0.4, 0.6],
    },
    split: 'test',
    createdAt: '2024-01-01T00:00:00.000Z',
  });

  it('counts, scores and ranks by hand-checked values', () => {
    const c = report.classification!;
    expect(c.confusion).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    expect(c.accuracy).toBeCloseTo(4 / 6, 15);
    expect(c.perClass.map((r) => r.precision)).toEqual([0.5, 2 / 3, 1]);
    expect(c.perClass.map((r) => r.recall)).toEqual([0.5, 1, 0.5]);
    expect(c.perClass.map((r) => r.support)).toEqual([2, 2, 2]);
    expect(c.worstMistakes[0]).toEqual({ record: 'e', target: 'bird', predicted: 'cat', confidence: 0.9 });
    expect(report.summary).toMatchObject({ size: 6, accuracy: 4 / 6 });
    expect(report.learningCurves).toMatchObject({ epochs: [1, 2, 3], bestEpoch: 2 });
    expect(report.learningCurves!.series.val_loss).toEqual([1.2, 0.9, 0.95]);
  });

  it('summarises fusion weights per modality and per predicted class', () => {
    const f = report.fusionWeights!;
    expect(f.perInput.image).toMatchObject({ min: 0.3, max: 0.9, median: 0.55 });
    expect(f.perInput.image!.mean).toBeCloseTo(3.5 / 6, 12);
    // Predicted cat: records a and e.
    expect(f.byPredictedClass![0]).toMatchObject({ label: 'cat', count: 2 });
    expect(f.byPredictedClass![0]!.means[0]).toBeCloseTo(0.85, 12);
  });

  it('is plain JSON: undefined numbers become null', () => {
    const absent = buildEvaluationReport({
      task: { type: 'classification' },
      labels,
      targets: [0, 1, 0],
      predictions: probabilities.slice(0, 9),
    });
    expect(absent.classification!.rocAuc.macro).toBeNull();
    expect(absent.classification!.perClass[2]!.rocAuc).toBeNull();
    expect(JSON.parse(JSON.stringify(absent))).toEqual(absent);
  });

  it('reports multi-label and regression tasks', () => {
    const multi = buildEvaluationReport({
      task: { type: 'multi-label' },
      labels: ['x', 'y'],
      targets: [1, 0, 1, 1],
      predictions: [0.9, 0.6, 0.4, 0.7],
    });
    expect(multi.multiLabel!.hammingLoss).toBe(0.5);
    expect(multi.summary.microF1).toBeCloseTo(2 / 3, 12);
    const regression = buildEvaluationReport({
      task: { type: 'regression' },
      labels: [],
      targets: [1, 2, 3, 4],
      predictions: [1.5, 2, 2.5, 4],
    });
    expect(regression.regression).toMatchObject({ mae: 0.25, r2: 0.9 });
    expect(regression.regression!.residuals.median).toBe(0);
    expect(renderReportHtml(regression)).toContain('Predicted against target');
  });

  it('computes quartiles like numpy and nice ticks', () => {
    expect(distribution([1, 2, 3, 4])).toEqual({
      mean: 2.5,
      min: 1,
      q1: 1.75,
      median: 2.5,
      q3: 3.25,
      max: 4,
    });
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.37, 1.12, 5)).toEqual([0.2, 0.4, 0.6, 0.8, 1, 1.2]);
  });

  describe('HTML', () => {
    const html = renderReportHtml(report);
    it('is self-contained, with a chart for each part', () => {
      expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org)/);
      const titles = [...html.matchAll(/<svg[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
      expect(titles).toEqual([
        'loss',
        'accuracy',
        'Learning rate',
        'Confusion matrix',
        'Per-class scores',
        'Fusion weight per modality',
        'Mean fusion weight by predicted class',
      ]);
      expect(html).toContain('<td>F1 (macro)</td>');
    });

    it('escapes labels', () => {
      const tricky = buildEvaluationReport({
        task: { type: 'classification' },
        labels: ['<b>', 'a&b'],
        targets: [0, 1],
        predictions: [0.6, 0.4, 0.3, 0.7],
      });
      const text = renderReportHtml(tricky);
      expect(text).not.toContain('<b>');
      expect(text).toContain('&#60;b&#62;');
    });
  });

  describe('writeReport', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-report-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it('writes report.json and report.html, leaving no temporary files', async () => {
      const files = await writeReport(path.join(dir, 'nested'), report);
      expect(readdirSync(path.join(dir, 'nested')).sort()).toEqual(['report.html', 'report.json']);
      expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(report);
      expect(readFileSync(files.html, 'utf8')).toBe(renderReportHtml(report));
    });
  });
});
