import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataset, type ModelSpecInput } from '@omnifuse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationReport } from './report/build-report.js';
import { type TrainResult, train } from './train.js';

// Three noisy, overlapping classes, so the model makes some mistakes worth reporting.
const records = Array.from({ length: 90 }, (_, i) => {
  const k = i % 3;
  const noise = (j: number) => Math.sin(i * 12.9898 + j * 78.233) * 1.2;
  return { id: `r${i}`, x: [k + noise(1), -k + noise(2), noise(3)], label: ['red', 'green', 'blue'][k]! };
});
const spec: ModelSpecInput = {
  inputs: [{ field: 'x', encoder: 'vector:mlp', options: { hidden: [8] } }],
  output: { type: 'classification', field: 'label' },
  split: { type: 'random', ratios: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 3 },
  training: { epochs: 3, batchSize: 16, seed: 5 },
  backend: 'wasm',
};

describe('evaluation metrics and reports from train() and evaluate()', () => {
  let work: string;
  let result: TrainResult;
  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-eval-'));
    result = await train({
      spec,
      dataset: createDataset(records),
      cache: false,
      reportDir: path.join(work, 'report'),
    });
  });
  afterAll(() => {
    result?.model.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('adds the task metrics to the existing keys', () => {
    const test = result.metrics.test!;
    expect(test).toMatchObject({
      size: expect.any(Number),
      loss: expect.any(Number),
      accuracy: expect.any(Number),
    });
    for (const key of ['macroF1', 'microF1', 'weightedF1', 'logLoss', 'macroPrecision', 'macroRecall']) {
      expect(test[key], key).toEqual(expect.any(Number));
    }
    expect(test.microF1).toBeCloseTo(test.accuracy!, 6);
  });

  it('writes the test report with the training history', () => {
    const written = JSON.parse(
      readFileSync(path.join(work, 'report', 'report.json'), 'utf8'),
    ) as EvaluationReport;
    expect(written.split).toBe('test');
    expect(written.learningCurves!.epochs).toEqual([1, 2, 3]);
    expect(Object.keys(written.learningCurves!.series)).toEqual(expect.arrayContaining(['loss', 'val_loss']));
    expect(written.summary.accuracy).toBe(result.metrics.test!.accuracy);
    expect(readFileSync(path.join(work, 'report', 'report.html'), 'utf8')).toContain('<svg');
  });

  it("evaluate({ report: true }): the report's numbers match a recomputation from the predictions", async () => {
    const test = records.filter((_, i) => i % 4 === 0);
    const { metrics, report } = await result.model.evaluate(test, { report: true });
    const predictions = await result.model.predict(test);
    const labels = result.labels;
    const confusion = labels.map(() => labels.map(() => 0));
    let logLoss = 0;
    predictions.forEach((p, i) => {
      confusion[labels.indexOf(test[i]!.label)]![labels.indexOf(p.prediction as string)]! += 1;
      logLoss -= Math.log(p.probabilities![test[i]!.label]!);
    });
    expect(report.classification!.confusion).toEqual(confusion);
    const correct = predictions.filter((p, i) => p.prediction === test[i]!.label).length;
    expect(report.classification!.accuracy).toBeCloseTo(correct / test.length, 12);
    expect(metrics.accuracy).toBeCloseTo(correct / test.length, 6);
    // The report reads float32 outputs; sklearn's renormalisation changes their sum by ~1e-7.
    expect(report.classification!.logLoss).toBeCloseTo(logLoss / test.length, 5);
    labels.forEach((_, k) => {
      const tp = confusion[k]![k]!;
      const predicted = confusion.reduce((a, row) => a + row[k]!, 0);
      const actual = confusion[k]!.reduce((a, b) => a + b, 0);
      const row = report.classification!.perClass[k]!;
      expect(row.precision).toBeCloseTo(predicted === 0 ? 0 : tp / predicted, 12);
      expect(row.recall).toBeCloseTo(actual === 0 ? 0 : tp / actual, 12);
      expect(row.support).toBe(actual);
    });
    const macroF1 =
      report.classification!.perClass.reduce(
        (a, r) =>
          a + (r.precision + r.recall === 0 ? 0 : (2 * r.precision * r.recall) / (r.precision + r.recall)),
        0,
      ) / labels.length;
    expect(report.summary.macroF1).toBeCloseTo(macroF1, 12);
    expect(metrics.macroF1).toBeCloseTo(macroF1, 12);
    expect(report.model).toMatchObject({ inputs: [{ field: 'x', encoder: 'vector:mlp' }], fusion: null });
    // Without `report`, the plain metrics as before.
    const plain = await result.model.evaluate(test);
    expect(plain).toEqual(metrics);
  });

  it('predicts and evaluates a chunk of records at a time with the same results', async () => {
    // A record the encoder refuses (two numbers where it wants three), in the middle of a chunk.
    const many = records.map((r, i) => (i === 40 ? { ...r, x: [1, 2] } : r));
    const whole = await result.model.predict(many, { onInvalid: 'skip' });
    const reports: (readonly number[])[] = [];
    const chunked = await result.model.predict(many, {
      onInvalid: 'skip',
      chunkRows: 7,
      onCheck: (report) => reports.push(report.invalidRows),
    });
    expect(chunked).toEqual(whole);
    expect(chunked).toHaveLength(89);
    expect(reports).toEqual([[40]]);
    const sizes: number[] = [];
    for await (const part of result.model.predictChunks(records, { chunkRows: 25 })) sizes.push(part.length);
    expect(sizes).toEqual([25, 25, 25, 15]);
    await expect(result.model.predict(records, { chunkRows: 0 })).rejects.toMatchObject({
      code: 'E_OPTIONS',
      path: 'chunkRows',
    });

    const one = await result.model.evaluate(records, { report: true });
    const seven = await result.model.evaluate(records, { report: true, chunkRows: 7 });
    expect(seven.metrics.size).toBe(90);
    expect(seven.metrics.accuracy).toBeCloseTo(one.metrics.accuracy!, 12);
    expect(seven.metrics.loss).toBeCloseTo(one.metrics.loss, 5);
    expect(seven.metrics.macroF1).toBeCloseTo(one.metrics.macroF1!, 12);
    expect(seven.report.classification!.confusion).toEqual(one.report.classification!.confusion);

    // Under "fail", the error lists invalid records of every chunk, not only the first.
    const bad = many.map((r, i) => (i === 80 ? { ...r, x: [1] } : r));
    await expect(result.model.predict(bad, { onInvalid: 'fail', chunkRows: 7 })).rejects.toMatchObject({
      code: 'E_INVALID_DATA',
      details: { report: expect.objectContaining({ invalidRecords: ['r40', 'r80'], invalidRows: [40, 80] }) },
    });
  });
});
