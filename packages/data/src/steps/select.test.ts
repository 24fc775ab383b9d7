import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitPipeline } from '../pipeline.js';
import { topK } from './select.js';

// Reference: packages/data/scripts/select-reference.py (scikit-learn 1.2.1).
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/select.json', import.meta.url), 'utf8'));
const data = fixture.datasets as Record<string, { x: number[][]; y: number[] }>;
const names = (width: number) => Array.from({ length: width }, (_, i) => `f${i}`);

describe('variance-threshold', () => {
  it('keeps what scikit-learn VarianceThreshold keeps, with its variances', () => {
    for (const c of fixture.varianceThreshold) {
      const rows = data[c.dataset]!.x;
      const featureNames = names(rows[0]!.length);
      const pipeline = fitPipeline(
        [{ type: 'variance-threshold', options: { threshold: c.threshold } }],
        rows,
        {
          featureNames,
        },
      );
      expect(pipeline.outputNames).toEqual(c.support.map((i: number) => `f${i}`));
      const state = pipeline.toJSON().steps[0]!.state as { scores: number[] };
      state.scores.forEach((v, i) => {
        expect(Math.abs(v - c.variances[i])).toBeLessThanOrEqual(1e-9 * c.variances[i]);
      });
      expect(pipeline.transform(rows.slice(0, 2))[0]).toEqual(c.support.map((i: number) => rows[0]![i]));
    }
  });
  it('refuses to drop every column', () => {
    expect(() =>
      fitPipeline(
        [{ type: 'variance-threshold' }],
        [
          [1, 2],
          [1, 2],
        ],
      ),
    ).toThrow(expect.objectContaining({ code: 'E_INPUT', step: 'variance-threshold' }));
  });
});

describe('correlation-filter', () => {
  it('keeps the earlier column of each correlated pair (Pearson and Spearman)', () => {
    for (const c of fixture.correlationFilter) {
      const rows = data[c.dataset]!.x;
      const pipeline = fitPipeline(
        [{ type: 'correlation-filter', options: { threshold: c.threshold, method: c.method } }],
        rows,
        { featureNames: names(rows[0]!.length) },
      );
      expect(pipeline.outputNames).toEqual(c.support.map((i: number) => `f${i}`));
    }
  });
  it('keeps A and C when A~B and B~C but not A~C', () => {
    const rows = Array.from({ length: 50 }, (_, i) => {
      const a = Math.sin(i);
      const c = Math.cos(i * 1.7);
      return [a, a + c * 0.3, c];
    });
    const pipeline = fitPipeline([{ type: 'correlation-filter', options: { threshold: 0.2 } }], rows);
    expect(pipeline.outputNames).toEqual(['x0', 'x2']);
  });
  it('refuses a constant column, naming it', () => {
    expect(() =>
      fitPipeline(
        [{ type: 'correlation-filter' }],
        [
          [1, 5],
          [2, 5],
          [3, 5],
        ],
      ),
    ).toThrow(expect.objectContaining({ code: 'E_INPUT', field: 'x1', step: 'correlation-filter' }));
  });
});

describe('select-k-best', () => {
  it('selects the same columns as scikit-learn SelectKBest, ties included', () => {
    for (const c of fixture.selectKBest) {
      const rows = c.x ?? data[c.dataset]!.x;
      const target = c.dataset === 'irisTies' ? data.iris!.y : data[c.dataset]!.y;
      const task = c.scoring === 'f_regression' ? 'regression' : 'classification';
      const pipeline = fitPipeline(
        [{ type: 'select-k-best', options: { k: c.k, scoring: c.scoring } }],
        rows,
        {
          featureNames: names(rows[0]!.length),
          target,
          task,
        },
      );
      expect(pipeline.outputNames, `${c.dataset} ${c.scoring}`).toEqual(
        c.support.map((i: number) => `f${i}`),
      );
    }
  });
  it('breaks ties towards later columns and ranks NaN last, like scikit-learn', () => {
    expect(topK([5, 5, 1, 5], 2)).toEqual([1, 3]);
    expect(topK([Number.NaN, 0, -3], 2)).toEqual([1, 2]);
  });
  it('scores by mutual information deterministically for a seed', () => {
    const { x, y } = data.wine!;
    const fit = (seed: number) =>
      fitPipeline([{ type: 'select-k-best', options: { k: 4, scoring: 'mutual_info_classif' } }], x, {
        target: y,
        task: 'classification',
        seed,
      });
    expect(fit(3).outputNames).toEqual(fit(3).outputNames);
    // flavanoids (x6) has the highest MI with the cultivar in wine
    expect(fit(3).outputNames).toContain('x6');
  });
  it('names itself in errors from its scorer, and refuses k > width', () => {
    expect(() =>
      fitPipeline([{ type: 'select-k-best', options: { k: 1, scoring: 'chi2' } }], [[1], [-2], [3]], {
        target: ['a', 'b', 'a'],
      }),
    ).toThrow(expect.objectContaining({ code: 'E_INPUT', step: 'select-k-best', record: 1, field: 'x0' }));
    expect(() =>
      fitPipeline([{ type: 'select-k-best', options: { k: 3 } }], [[1], [2], [3]], { target: [1, 2, 3] }),
    ).toThrow(expect.objectContaining({ code: 'E_OPTIONS' }));
  });
});
