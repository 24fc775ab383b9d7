import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { AnyStep, Rows } from '../step.js';

// Shared by scale.test.ts, power.test.ts and impute.test.ts: the sklearn reference fixture.

/** One sklearn reference case from fixtures/scale.json (scripts/scale-reference.py). */
export interface ReferenceCase {
  name: string;
  step: string;
  options: Record<string, unknown>;
  names: string[];
  train: (number | null)[][];
  test: (number | null)[][];
  fitOut: (number | null)[][];
  testOut: (number | null)[][];
  [extra: string]: unknown;
}

export const reference = JSON.parse(
  readFileSync(new URL('../../fixtures/scale.json', import.meta.url), 'utf8'),
) as {
  cases: ReferenceCase[];
  logs: { base: string; offset: number; train: number[][]; out: number[][] }[];
  log1p: { train: number[][]; out: number[][] };
  pipeline: ReferenceCase & {
    specs: { type: string; options?: Record<string, unknown> }[];
    lambdas: number[];
  };
};

/** JSON null → NaN (missing). */
export function rowsOf(table: (number | null)[][]): number[][] {
  return table.map((row) => row.map((v) => (v === null ? Number.NaN : v)));
}

/** Largest |actual − expected| / max(1, |expected|) over a table. */
export function maxError(actual: Rows, expected: (number | null)[][]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  expected.forEach((row, r) => {
    expect(actual[r]!.length).toBe(row.length);
    row.forEach((e, c) => {
      const a = actual[r]![c]!;
      if (e === null) {
        expect(Number.isNaN(a)).toBe(true);
        return;
      }
      worst = Math.max(worst, Math.abs(a - e) / Math.max(1, Math.abs(e)));
    });
  });
  return worst;
}

/** Fits `step` on the case's training rows and returns its outputs on the training and test rows. */
export function runCase(step: AnyStep, c: ReferenceCase) {
  const options = step.options.parse(c.options);
  const train = rowsOf(c.train);
  const state = step.fit(train, options, { featureNames: c.names, seed: 0 });
  return {
    state,
    options,
    fitOut: step.transform(train, state, options),
    testOut: step.transform(rowsOf(c.test), state, options),
  };
}

export function stepNamed(steps: readonly AnyStep[], type: string): AnyStep {
  const step = steps.find((s) => s.type === type);
  if (!step) throw new Error(`no step ${type}`);
  return step;
}
