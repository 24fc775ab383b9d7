import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { fitPipeline, loadPipeline } from '../pipeline.js';
import { imputeSteps, missingIndicator, simpleImputer } from './impute.js';
import { maxError, reference, rowsOf, runCase, stepNamed } from './scale-fixture.test-utils.js';

const NA = Number.NaN;

describe('simple-imputer and missing-indicator against sklearn 1.2.1', () => {
  const cases = reference.cases.filter((c) => imputeSteps.some((s) => s.type === c.step));
  it('covers every strategy and both indicator modes', () => {
    const kinds = new Set(cases.map((c) => `${c.step} ${c.options.strategy ?? c.options.features}`));
    expect(kinds.size).toBe(6);
  });
  // Means sum in another order than numpy: rounding-level; medians, modes and flags are exact.
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const { state, fitOut, testOut } = runCase(stepNamed(imputeSteps, c.step), c);
    expect(maxError(fitOut, c.fitOut)).toBeLessThan(1e-14);
    expect(maxError(testOut, c.testOut)).toBeLessThan(1e-14);
    if (c.statistics) expect(maxError([state.statistics], [c.statistics as number[]])).toBeLessThan(1e-14);
    if (c.features) expect(state.columns).toEqual(c.features);
  });
});

describe('simple-imputer policies', () => {
  const context = { featureNames: ['age', 'blank'], seed: 0 };
  const rows = [
    [1, NA],
    [NA, NA],
    [3, NA],
  ];
  it('refuses a column with no observed value by default, naming it', () => {
    try {
      simpleImputer.fit(rows, simpleImputer.options.parse({ strategy: 'median' }), context);
      expect.unreachable();
    } catch (error) {
      expect(OmnifuseError.isInstance(error)).toBe(true);
      expect((error as OmnifuseError).field).toBe('blank');
      expect((error as OmnifuseError).step).toBe('simple-imputer');
    }
  });
  it("keeps such a column filled with fillValue under emptyColumns: 'fill' and counts what it imputed", () => {
    const options = simpleImputer.options.parse({ emptyColumns: 'fill', fillValue: -1 });
    const state = simpleImputer.fit(rows, options, context);
    expect(state).toMatchObject({ statistics: [2, -1], missingCounts: [1, 3], emptyColumns: ['blank'] });
    expect(simpleImputer.transform(rows, state, options)).toEqual([
      [1, -1],
      [2, -1],
      [3, -1],
    ]);
  });
  it('strategy constant fills every column, even an empty one', () => {
    const options = simpleImputer.options.parse({ strategy: 'constant', fillValue: 7 });
    const state = simpleImputer.fit(rows, options, context);
    expect(simpleImputer.transform([[NA, 2]], state, options)).toEqual([[7, 2]]);
  });
});

describe('missing-indicator', () => {
  const context = { featureNames: ['a', 'b', 'c'], seed: 0 };
  const rows = [
    [1, NA, 3],
    [4, 5, NA],
    [7, 8, 9],
  ];
  it('keeps the inputs (NaN preserved) and appends missing_<name> for columns with missing values', () => {
    const options = missingIndicator.options.parse({});
    const state = missingIndicator.fit(rows, options, context);
    expect(missingIndicator.outputNames(state, options, context.featureNames)).toEqual([
      'a',
      'b',
      'c',
      'missing_b',
      'missing_c',
    ]);
    expect(missingIndicator.transform(rows, state, options)).toEqual([
      [1, NA, 3, 1, 0],
      [4, 5, NA, 0, 1],
      [7, 8, 9, 0, 0],
    ]);
  });
  it('errors on a new missing value in a column without an indicator, unless told not to', () => {
    const options = missingIndicator.options.parse({});
    const state = missingIndicator.fit(rows, options, context);
    try {
      missingIndicator.transform(
        [
          [1, 2, 3],
          [NA, 2, 3],
        ],
        state,
        options,
      );
      expect.unreachable();
    } catch (error) {
      expect((error as OmnifuseError).record).toBe(1);
      expect((error as OmnifuseError).field).toBe('a');
    }
    const lenient = missingIndicator.options.parse({ errorOnNew: false, keepInputs: false });
    expect(missingIndicator.transform([[NA, 2, 3]], state, lenient)).toEqual([[0, 0]]);
  });
});

describe('pipeline [missing-indicator, simple-imputer, yeo-johnson, standard-scaler]', () => {
  const ref = reference.pipeline;
  const train = rowsOf(ref.train);
  const test = rowsOf(ref.test);
  const fitted = fitPipeline(ref.specs, train, { featureNames: ref.names });

  it('matches the same sklearn chain (λ-limited: 1e-6 relative, see power.test.ts)', () => {
    const lambdas = fitted.toJSON().steps[2]!.state as { lambdas: number[] };
    lambdas.lambdas.forEach((l, i) => {
      expect(Math.abs(l - ref.lambdas[i]!) / Math.abs(ref.lambdas[i]!)).toBeLessThan(2e-6);
    });
    expect(fitted.outputNames).toEqual([
      ...ref.names,
      'missing_malic_acid',
      'missing_alcalinity_of_ash',
      'missing_magnesium',
    ]);
    expect(maxError(fitted.transform(train), ref.fitOut)).toBeLessThan(1e-6);
    expect(maxError(fitted.transform(test), ref.testOut)).toBeLessThan(1e-6);
  });

  it('reloads from JSON and transforms bit for bit the same', () => {
    const reloaded = loadPipeline(JSON.parse(JSON.stringify(fitted.toJSON())));
    expect(reloaded.outputNames).toEqual(fitted.outputNames);
    expect(reloaded.transform(test)).toEqual(fitted.transform(test));
    expect(reloaded.transform(train)).toEqual(fitted.transform(train));
  });

  it('fits on the given rows only; new rows are transformed with the training statistics', () => {
    const batch = fitted.transform(test);
    test.forEach((row, i) => {
      expect(fitted.transform([row])[0]).toEqual(batch[i]);
    });
    // Fitting on other rows gives other statistics, so other outputs for the same new rows.
    const other = fitPipeline(ref.specs, [...train, ...test], { featureNames: ref.names });
    expect(maxError(other.transform(test), ref.testOut)).toBeGreaterThan(1e-3);
  });
});
