import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type { z } from 'zod';
import { inputError } from './errors.js';

/**
 * A table of numbers: one row per record, one column per feature. `NaN` marks a missing value;
 * only imputers accept it (every other step refuses it with an error naming the row and column).
 */
export type Rows = readonly (readonly number[])[];

/** The target of supervised steps (mutual information, select-k-best): a label or a number per row. */
export type Target = readonly (number | string)[];

export interface FitContext {
  /** Names of the input columns (`x0`, `x1`, … when the caller gave none). */
  readonly featureNames: readonly string[];
  /** Present when the pipeline was fitted with a target; supervised steps require it. */
  readonly target?: Target;
  /** Whether the target is a class label or a number (supervised steps pick their estimator by it). */
  readonly task?: 'classification' | 'regression';
  /** Seed for steps with randomness (mutual information's noise, t-SNE); same seed ⇒ same state. */
  readonly seed: number;
}

/**
 * One fit-on-training-data / transform step. `fit` sees only training rows and returns plain JSON
 * state; `transform` is a pure function of rows, state and options, so a saved pipeline transforms
 * identically after reloading in another process.
 */
export interface StepDefinition<Options = unknown, State = unknown> {
  /** Stable name used in pipeline specs and saved pipelines, kebab-case: `standard-scaler`. */
  readonly type: string;
  /** Parses and defaults the options (zod); invalid options are an `E_OPTIONS` error naming the step. */
  readonly options: z.ZodType<Options>;
  /** Needs `context.target`. */
  readonly supervised?: boolean;
  /** Accepts `NaN` (missing) in its input; every other step refuses it. */
  readonly acceptsMissing?: boolean;
  fit(rows: Rows, options: Options, context: FitContext): State;
  transform(rows: Rows, state: State, options: Options): number[][];
  /** Names of the output columns. */
  outputNames(state: State, options: Options, inputNames: readonly string[]): string[];
}

/** Types a step definition (identity at run time); keeps options and state types tied together. */
export function defineStep<Options, State>(
  step: StepDefinition<Options, State>,
): StepDefinition<Options, State> {
  return step;
}

/** A step as a pipeline spec names it. */
export interface StepSpec {
  readonly type: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** An `E_INPUT` error for a bad value at (row, column) of a step's input. */
export function valueError(step: string, message: string, row: number, column: string): OmnifuseError {
  return inputError(step, message, { record: row, field: column });
}

/**
 * Checks a table: rectangular, `width` columns (when given), and no `NaN`/±Infinity unless
 * `allowMissing` (then `NaN` passes but ±Infinity still fails). Errors name the row and column.
 */
export function checkRows(
  step: string,
  rows: Rows,
  names: readonly string[],
  { allowMissing = false, width }: { allowMissing?: boolean; width?: number } = {},
): void {
  const expected = width ?? rows[0]?.length ?? names.length;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length !== expected) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: `row ${r} has ${row.length} columns; expected ${expected}`,
        plugin: '@omnifuse/data',
        step,
        record: r,
        expected,
        found: row.length,
      });
    }
    for (let c = 0; c < expected; c++) {
      const value = row[c]!;
      if (Number.isFinite(value)) continue;
      if (Number.isNaN(value) && allowMissing) continue;
      const what = Number.isNaN(value) ? 'missing (NaN): impute it first' : `${value}`;
      throw valueError(step, `value is ${what}`, r, names[c] ?? `x${c}`);
    }
  }
}

/** A step of any option and state types, for lists and registries of steps. */
// biome-ignore lint/suspicious/noExplicitAny: steps in one list have different option and state types
export type AnyStep = StepDefinition<any, any>;
