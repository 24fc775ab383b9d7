import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { minMaxScaler, percentile, robustScaler, scaleSteps, standardScaler } from './scale.js';
import { maxError, reference, runCase, stepNamed } from './scale-fixture.test-utils.js';

describe('scalers against sklearn 1.2.1', () => {
  const cases = reference.cases.filter((c) => c.step.endsWith('-scaler'));
  it('has cases for every scaler', () => {
    expect(new Set(cases.map((c) => c.step))).toEqual(
      new Set(['standard-scaler', 'min-max-scaler', 'robust-scaler']),
    );
  });
  // Sums in a different order than numpy's pairwise summation: rounding-level differences only.
  it.each(cases.map((c) => [c.name, c] as const))('%s matches within 1e-12', (_name, c) => {
    const { state, fitOut, testOut } = runCase(stepNamed(scaleSteps, c.step), c);
    expect(maxError(fitOut, c.fitOut)).toBeLessThan(1e-12);
    expect(maxError(testOut, c.testOut)).toBeLessThan(1e-12);
    if (Array.isArray(c.scale)) expect(maxError([state.scale], [c.scale as number[]])).toBeLessThan(1e-13);
    if (Array.isArray(c.mean)) expect(maxError([state.center], [c.mean as number[]])).toBeLessThan(1e-13);
    if (Array.isArray(c.center)) expect(state.center).toEqual(c.center);
  });
});

describe('scaler edge cases', () => {
  const context = { featureNames: ['a', 'b'], seed: 0 };
  it('standard-scaler maps a constant column to 0 (scale 1) like sklearn', () => {
    const options = standardScaler.options.parse({});
    const state = standardScaler.fit(
      [
        [1, 5],
        [2, 5],
        [3, 5],
      ],
      options,
      context,
    );
    expect(state.scale[1]).toBe(1);
    expect(standardScaler.transform([[2, 5]], state, options)).toEqual([[0, 0]]);
  });
  it('min-max-scaler clips new rows to the feature range only when asked', () => {
    const rows = [[0], [10]];
    const plain = minMaxScaler.options.parse({ featureRange: [-1, 1] });
    const clipped = minMaxScaler.options.parse({ featureRange: [-1, 1], clip: true });
    const state = minMaxScaler.fit(rows, plain, context);
    expect(minMaxScaler.transform([[20], [5]], state, plain)).toEqual([[3], [0]]);
    expect(minMaxScaler.transform([[20], [-5]], state, clipped)).toEqual([[1], [-1]]);
  });
  it('rejects a featureRange with a >= b and a quantileRange outside [0, 100]', () => {
    expect(minMaxScaler.options.safeParse({ featureRange: [1, 1] }).success).toBe(false);
    expect(robustScaler.options.safeParse({ quantileRange: [25, 175] }).success).toBe(false);
  });
  it('refuses to fit on no rows, naming the step', () => {
    for (const step of scaleSteps) {
      try {
        step.fit([], step.options.parse({}), context);
        expect.unreachable();
      } catch (error) {
        expect(OmnifuseError.isInstance(error)).toBe(true);
        expect((error as OmnifuseError).step).toBe(step.type);
      }
    }
  });
  it('percentile interpolates linearly like numpy', () => {
    expect(percentile([1, 2, 3, 4], 25)).toBe(1.75);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
    expect(percentile([7], 50)).toBe(7);
  });
});
