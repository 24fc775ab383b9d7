import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitPipeline, loadPipeline } from '../pipeline.js';
import { fitPca, transformPca } from './decompose.js';

// Reference: packages/data/scripts/select-reference.py (scikit-learn 1.2.1 PCA, svd_solver='full').
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/select.json', import.meta.url), 'utf8'));
const data = fixture.datasets as Record<string, { x: number[][] }>;

/** |a − b| ≤ 1e-9 · scale, where scale is the largest |value| of the reference (per row of a matrix). */
function expectClose(actual: number[], expected: number[], scale = Math.max(...expected.map(Math.abs))) {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < actual.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(1e-9 * scale);
  }
}

describe('pca step against scikit-learn', () => {
  for (const c of fixture.pca) {
    it(`${c.dataset}, nComponents ${c.nComponents}, whiten ${c.whiten}`, () => {
      const rows = data[c.dataset]!.x;
      const state = fitPca(rows, { nComponents: c.nComponents, whiten: c.whiten });
      expect(state.components).toHaveLength(c.nComponentsFitted);
      expectClose(state.mean, c.mean);
      // components are unit vectors, signs fixed by svd_flip: compared entry-wise, no sign freedom
      state.components.forEach((component, j) => {
        expectClose(component, c.components[j], 1);
      });
      expectClose(state.explainedVariance, c.explainedVariance);
      expectClose(state.explainedVarianceRatio, c.explainedVarianceRatio);
      expectClose(state.singularValues, c.singularValues);
      const transformed = transformPca(rows, state, c.whiten);
      const columnScale = c.transformed[0].map((_: number, j: number) =>
        Math.max(...c.transformed.map((row: number[]) => Math.abs(row[j]!))),
      );
      transformed.forEach((row, i) => {
        row.forEach((value, j) => {
          expect(Math.abs(value - c.transformed[i][j])).toBeLessThanOrEqual(1e-9 * columnScale[j]);
        });
      });
    });
  }
});

describe('pca in a pipeline', () => {
  it('names outputs pc1.., and transforms identically after reloading', () => {
    const rows = data.wine!.x;
    const pipeline = fitPipeline([{ type: 'pca', options: { nComponents: 3, whiten: true } }], rows);
    expect(pipeline.outputNames).toEqual(['pc1', 'pc2', 'pc3']);
    const reloaded = loadPipeline(JSON.parse(JSON.stringify(pipeline.toJSON())));
    expect(reloaded.transform(rows.slice(0, 5))).toEqual(pipeline.transform(rows.slice(0, 5)));
  });
  it('refuses too many components, constant data, and bad options', () => {
    expect(() => fitPipeline([{ type: 'pca', options: { nComponents: 5 } }], data.iris!.x)).toThrow(
      expect.objectContaining({ code: 'E_INPUT', step: 'pca', field: 'nComponents' }),
    );
    expect(() =>
      fitPipeline(
        [{ type: 'pca' }],
        [
          [1, 2],
          [1, 2],
          [1, 2],
        ],
      ),
    ).toThrow(/no variance/);
    expect(() => fitPipeline([{ type: 'pca', options: { nComponents: 1.5 } }], data.iris!.x)).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS' }),
    );
    expect(() =>
      fitPipeline(
        [{ type: 'pca' }],
        [
          [1, Number.NaN],
          [2, 3],
        ],
      ),
    ).toThrow(expect.objectContaining({ code: 'E_INPUT', record: 0, field: 'x1' }));
  });
});
