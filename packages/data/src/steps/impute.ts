import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';
import { type AnyStep, defineStep, type Rows, valueError } from '../step.js';
import { median, requireRows } from './scale.js';

function namesOf(rows: Rows, featureNames: readonly string[]): string[] {
  return (rows[0] ?? featureNames).map((_, c) => featureNames[c] ?? `x${c}`);
}

/** The observed (non-missing) values of column `c`. */
function observed(rows: Rows, c: number): number[] {
  const values: number[] = [];
  for (const row of rows) if (!Number.isNaN(row[c]!)) values.push(row[c]!);
  return values;
}

/** The most frequent value; among ties the smallest, as sklearn's SimpleImputer picks. */
function mostFrequent(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = Number.NaN;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

const imputerOptions = z
  .object({
    /** What replaces a missing value: the column's training mean, median, most frequent value, or `fillValue`. */
    strategy: z.enum(['mean', 'median', 'most_frequent', 'constant']).default('mean'),
    /** The value for strategy `constant`, and for columns with no observed value when `emptyColumns` is `fill`. */
    fillValue: z.number().finite().default(0),
    /**
     * A column with no observed training value has no mean/median/mode: `error` (default) refuses it,
     * naming the column; `fill` keeps it and fills it with `fillValue` (sklearn drops such a column,
     * which would silently shift every later column).
     */
    emptyColumns: z.enum(['error', 'fill']).default('error'),
  })
  .strict();

interface ImputerState {
  readonly names: string[];
  /** The value each column's missing entries become. */
  readonly statistics: number[];
  /** Missing values per column in the training rows (a report of how much was imputed). */
  readonly missingCounts: number[];
  /** Columns with no observed training value, filled with `fillValue`. */
  readonly emptyColumns: string[];
}

/** Replaces `NaN` with a per-column training statistic, like sklearn's SimpleImputer. */
export const simpleImputer = defineStep({
  type: 'simple-imputer',
  options: imputerOptions,
  acceptsMissing: true,
  fit(rows, options, context): ImputerState {
    requireRows('simple-imputer', rows);
    const names = namesOf(rows, context.featureNames);
    const statistics: number[] = [];
    const missingCounts: number[] = [];
    const emptyColumns: string[] = [];
    for (let c = 0; c < names.length; c++) {
      const values = observed(rows, c);
      missingCounts.push(rows.length - values.length);
      if (options.strategy === 'constant') {
        statistics.push(options.fillValue);
        continue;
      }
      if (values.length === 0) {
        if (options.emptyColumns === 'error') {
          throw new OmnifuseError({
            code: ErrorCode.InvalidInput,
            message: `every training value is missing, so it has no ${options.strategy}; drop the column, or set emptyColumns: 'fill' to fill it with fillValue`,
            plugin: '@omnifuse/data',
            step: 'simple-imputer',
            field: names[c],
          });
        }
        emptyColumns.push(names[c]!);
        statistics.push(options.fillValue);
        continue;
      }
      if (options.strategy === 'mean') {
        let sum = 0;
        for (const v of values) sum += v;
        statistics.push(sum / values.length);
      } else if (options.strategy === 'median') {
        statistics.push(median(values.sort((a, b) => a - b)));
      } else {
        statistics.push(mostFrequent(values));
      }
    }
    return { names, statistics, missingCounts, emptyColumns };
  },
  transform(rows, state) {
    return rows.map((row) => row.map((x, c) => (Number.isNaN(x) ? state.statistics[c]! : x)));
  },
  outputNames: (_state, _options, names) => [...names],
});

const indicatorOptions = z
  .object({
    /** `missing-only`: an indicator for each column with a missing training value (sklearn's default); `all`: for every column. */
    features: z.enum(['missing-only', 'all']).default('missing-only'),
    /** Output the inputs (missing values kept) before the indicators, so an imputer can follow. */
    keepInputs: z.boolean().default(true),
    /**
     * A missing value at transform time in a column without an indicator is an error (sklearn's
     * `error_on_new`): otherwise that missingness would go unrecorded.
     */
    errorOnNew: z.boolean().default(true),
  })
  .strict();

interface IndicatorState {
  readonly names: string[];
  /** Indices of the columns that get an indicator, in input order. */
  readonly columns: number[];
}

/** Appends a 0/1 column `missing_<name>` per column that had missing values, like sklearn's MissingIndicator. */
export const missingIndicator = defineStep({
  type: 'missing-indicator',
  options: indicatorOptions,
  acceptsMissing: true,
  fit(rows, options, context): IndicatorState {
    requireRows('missing-indicator', rows);
    const names = namesOf(rows, context.featureNames);
    const columns = names
      .map((_, c) => c)
      .filter((c) => options.features === 'all' || rows.some((row) => Number.isNaN(row[c]!)));
    return { names, columns };
  },
  transform(rows, state, options) {
    const indicated = new Set(state.columns);
    return rows.map((row, r) => {
      if (options.errorOnNew) {
        const c = row.findIndex((x, i) => Number.isNaN(x) && !indicated.has(i));
        if (c >= 0) {
          throw valueError(
            'missing-indicator',
            "missing value in a column that had none in training, so it has no indicator; fit with features: 'all' or set errorOnNew: false",
            r,
            state.names[c] ?? `x${c}`,
          );
        }
      }
      const flags = state.columns.map((c) => (Number.isNaN(row[c]!) ? 1 : 0));
      return options.keepInputs ? [...row, ...flags] : flags;
    });
  },
  outputNames(state, options, names) {
    const indicators = state.columns.map((c) => `missing_${names[c] ?? state.names[c]}`);
    return options.keepInputs ? [...names, ...indicators] : indicators;
  },
});

export const imputeSteps: readonly AnyStep[] = [missingIndicator, simpleImputer];
