import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classificationScores, confusionMatrix, logLoss } from './classification.js';
import { multiLabelScores } from './multi-label.js';
import { meanAbsoluteError, r2Score, rootMeanSquaredError } from './regression.js';
import { binaryRocAuc, oneVsRestRocAuc } from './roc-auc.js';
import { computeTaskMetrics } from './task-metrics.js';

// Written by scripts/metrics-reference.py with scikit-learn (see the file's `sklearn` field).
const reference = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '../../test/fixtures/metrics-reference.json'), 'utf8'),
) as Reference;

interface Reference {
  sklearn: string;
  classification: {
    name: string;
    classes: number;
    targets: number[];
    probabilities: number[];
    accuracy: number;
    confusion: number[];
    precision: number[];
    recall: number[];
    f1: number[];
    support: number[];
    macro: Averages;
    micro: Averages;
    weighted: Averages;
    logLoss: number;
    rocAuc?: number | null;
    rocAucOvrMacro?: number | null;
    rocAucOvrWeighted?: number | null;
    rocAucPerClass?: (number | null)[];
  }[];
  multiLabel: {
    name: string;
    labels: number;
    targets: number[];
    probabilities: number[];
    precision: number[];
    recall: number[];
    f1: number[];
    support: number[];
    microF1: number;
    macroF1: number;
    microPrecision: number;
    microRecall: number;
    hammingLoss: number;
    subsetAccuracy: number;
  }[];
  regression: {
    name: string;
    targets: number[];
    predictions: number[];
    mae: number;
    rmse: number;
    r2: number;
  }[];
}
interface Averages {
  precision: number;
  recall: number;
  f1: number;
}

const TOLERANCE = 1e-12;
/** Equal within 1e-12, with sklearn's null (it raised) matching our NaN. */
function expectClose(actual: number, expected: number | null, what: string) {
  if (expected === null) {
    expect(actual, what).toBeNaN();
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOLERANCE);
}
const expectAllClose = (actual: readonly number[], expected: readonly (number | null)[], what: string) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    expectClose(value, expected[i]!, `${what}[${i}]`);
  });
};

describe(`classification metrics agree with scikit-learn ${reference.sklearn}`, () => {
  it.each(reference.classification.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const metrics = computeTaskMetrics({
      type: 'classification',
      classes: c.classes,
      targets: c.targets,
      outputs: Float64Array.from(c.probabilities),
    });
    if (metrics.type !== 'classification') throw new Error('unreachable');
    expect(Array.from(metrics.confusion)).toEqual(c.confusion);
    expectClose(metrics.accuracy, c.accuracy, 'accuracy');
    expectAllClose(metrics.scores.precision, c.precision, 'precision');
    expectAllClose(metrics.scores.recall, c.recall, 'recall');
    expectAllClose(metrics.scores.f1, c.f1, 'f1');
    expect(metrics.scores.support).toEqual(c.support);
    for (const average of ['macro', 'micro', 'weighted'] as const) {
      for (const key of ['precision', 'recall', 'f1'] as const) {
        expectClose(metrics.scores[average][key], c[average][key], `${average} ${key}`);
      }
    }
    expectClose(metrics.logLoss, c.logLoss, 'log loss');
    if (c.classes === 2) {
      expectClose(metrics.rocAuc.binary!, c.rocAuc!, 'binary ROC-AUC');
    } else {
      expectClose(metrics.rocAuc.macro, c.rocAucOvrMacro!, 'ovr macro ROC-AUC');
      expectClose(metrics.rocAuc.weighted, c.rocAucOvrWeighted!, 'ovr weighted ROC-AUC');
      expectAllClose(metrics.rocAuc.perClass, c.rocAucPerClass!, 'per-class ROC-AUC');
    }
  });

  it('covers the edge cases the fixture was built for', () => {
    const never = reference.classification.find((c) => c.name === 'multiclass-never-predicted')!;
    const predictedCount = (k: number) =>
      never.confusion.filter((_, i) => i % never.classes === k).reduce((a, b) => a + b, 0);
    expect(predictedCount(3)).toBe(0);
    const absent = reference.classification.find((c) => c.name === 'multiclass-absent-target')!;
    expect(absent.support[2]).toBe(0);
    expect(absent.rocAucOvrMacro).toBeNull();
  });

  it('reads one-hot targets like class indices', () => {
    const c = reference.classification[2]!;
    const oneHot = c.targets.flatMap((t) => Array.from({ length: c.classes }, (_, k) => (k === t ? 1 : 0)));
    const a = computeTaskMetrics({
      type: 'classification',
      classes: c.classes,
      targets: c.targets,
      outputs: c.probabilities,
    });
    const b = computeTaskMetrics({
      type: 'classification',
      classes: c.classes,
      targets: oneHot,
      outputs: c.probabilities,
    });
    expect(b).toEqual(a);
  });

  it('clips probabilities of exactly 0 and 1 in the log loss instead of returning Infinity', () => {
    expect(logLoss([0, 1], [0, 1, 1, 0], 2)).toBeCloseTo(-Math.log(2 ** -52), 10);
    expect(Number.isFinite(logLoss([1], [1, 0], 2))).toBe(true);
  });

  it('scores ties with average ranks, and is undefined with one class', () => {
    expect(binaryRocAuc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(binaryRocAuc([1, 0, 0], [0.9, 0.9, 0.1])).toBe(0.75);
    expect(binaryRocAuc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(oneVsRestRocAuc([0, 0], [1, 0, 1, 0], 2).macro).toBeNaN();
    const scores = classificationScores(confusionMatrix([0, 0], [1, 1], 2), 2);
    expect(scores.precision).toEqual([0, 0]);
  });
});

describe('multi-label metrics agree with scikit-learn', () => {
  it.each(reference.multiLabel.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const scores = multiLabelScores(c.targets, c.probabilities, c.labels);
    expectAllClose(scores.precision, c.precision, 'precision');
    expectAllClose(scores.recall, c.recall, 'recall');
    expectAllClose(scores.f1, c.f1, 'f1');
    expect(scores.support).toEqual(c.support);
    expectClose(scores.micro.f1, c.microF1, 'micro F1');
    expectClose(scores.macro.f1, c.macroF1, 'macro F1');
    expectClose(scores.micro.precision, c.microPrecision, 'micro precision');
    expectClose(scores.micro.recall, c.microRecall, 'micro recall');
    expectClose(scores.hammingLoss, c.hammingLoss, 'Hamming loss');
    expectClose(scores.subsetAccuracy, c.subsetAccuracy, 'subset accuracy');
  });
});

describe('regression metrics agree with scikit-learn', () => {
  it.each(reference.regression.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expectClose(meanAbsoluteError(c.targets, c.predictions), c.mae, 'MAE');
    expectClose(rootMeanSquaredError(c.targets, c.predictions), c.rmse, 'RMSE');
    expectClose(r2Score(c.targets, c.predictions), c.r2, 'R²');
  });

  it('leaves R² undefined for a single record, as sklearn does', () => {
    expect(r2Score([1], [2])).toBeNaN();
  });
});
