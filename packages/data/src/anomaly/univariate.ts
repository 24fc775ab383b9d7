import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';
import type { Rows } from '../step.js';

/** One flagged value: its row, column and how far out it is (|z| or distance past the fence, in IQRs). */
export interface OutlierCell {
  readonly row: number;
  readonly column: number;
  readonly value: number;
  readonly score: number;
}

export interface OutlierResult<Stats> {
  /** Rows with at least one flagged value, ascending. */
  readonly rows: number[];
  readonly cells: OutlierCell[];
  /** Per-column statistics the decision used. */
  readonly columns: Stats[];
}

export interface ZScoreStats {
  readonly mean: number;
  /** Population standard deviation (ddof 0, as `scipy.stats.zscore`). */
  readonly std: number;
  /** Values that were missing (`NaN`): left out of the statistics and never flagged. */
  readonly missing: number;
  /** True when every present value is equal: nothing can be flagged in it. */
  readonly constant: boolean;
}

export interface IqrStats {
  readonly q1: number;
  readonly q3: number;
  readonly lower: number;
  readonly upper: number;
  readonly missing: number;
}

const zOptions = z.object({ threshold: z.number().positive().default(3) }).strict();
const iqrOptions = z.object({ k: z.number().nonnegative().default(1.5) }).strict();

/**
 * Values more than `threshold` population standard deviations from their column's mean. Accepts one
 * column (`number[]`) or rows; `NaN` counts as missing (skipped and counted), ±Infinity is an error.
 */
export function zScoreOutliers(
  data: readonly number[] | Rows,
  options: z.input<typeof zOptions> = {},
): OutlierResult<ZScoreStats> {
  const { threshold } = parse('z-score-outliers', zOptions, options);
  const columns = toColumns('z-score-outliers', data);
  const stats: ZScoreStats[] = [];
  const cells: OutlierCell[] = [];
  columns.forEach((values, c) => {
    const present = values.filter((v) => !Number.isNaN(v));
    const mean = present.reduce((a, b) => a + b, 0) / present.length;
    const std = Math.sqrt(present.reduce((a, v) => a + (v - mean) ** 2, 0) / present.length);
    const constant = present.length === 0 || present.every((v) => v === present[0]);
    stats.push({ mean, std, missing: values.length - present.length, constant });
    if (constant) return;
    values.forEach((value, row) => {
      const score = Math.abs(value - mean) / std;
      if (score > threshold) cells.push({ row, column: c, value, score });
    });
  });
  return result(cells, stats);
}

/**
 * Values outside `[Q1 − k·IQR, Q3 + k·IQR]`, quartiles interpolated linearly as numpy's default
 * `percentile`. Same input and missing-value policy as {@link zScoreOutliers}.
 */
export function iqrOutliers(
  data: readonly number[] | Rows,
  options: z.input<typeof iqrOptions> = {},
): OutlierResult<IqrStats> {
  const { k } = parse('iqr-outliers', iqrOptions, options);
  const columns = toColumns('iqr-outliers', data);
  const stats: IqrStats[] = [];
  const cells: OutlierCell[] = [];
  columns.forEach((values, c) => {
    const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const q1 = quantile(sorted, 0.25);
    const q3 = quantile(sorted, 0.75);
    const iqr = q3 - q1;
    const lower = q1 - k * iqr;
    const upper = q3 + k * iqr;
    stats.push({ q1, q3, lower, upper, missing: values.length - sorted.length });
    values.forEach((value, row) => {
      if (!(value < lower || value > upper)) return;
      const distance = value < lower ? lower - value : value - upper;
      cells.push({ row, column: c, value, score: iqr > 0 ? distance / iqr : Number.POSITIVE_INFINITY });
    });
  });
  return result(cells, stats);
}

/** Quantile of sorted values with numpy's default (linear) interpolation; `NaN` when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

function result<S>(cells: OutlierCell[], columns: S[]): OutlierResult<S> {
  cells.sort((a, b) => a.row - b.row || a.column - b.column);
  return { rows: [...new Set(cells.map((cell) => cell.row))], cells, columns };
}

function parse<T>(step: string, schema: z.ZodType<T>, options: unknown): T {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    plugin: '@omnifuse/data',
    step,
  });
}

/** Columns of a column or of rows; checks shape and that values are numbers or NaN. */
function toColumns(step: string, data: readonly number[] | Rows): number[][] {
  const fail = (message: string, record?: number, field?: string) =>
    new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message,
      plugin: '@omnifuse/data',
      step,
      record,
      field,
    });
  if (data.length === 0) throw fail('no values given');
  const rows = (typeof data[0] === 'number' ? (data as number[]).map((v) => [v]) : data) as Rows;
  const width = rows[0]!.length;
  if (width === 0) throw fail('rows have no columns', 0);
  const columns: number[][] = Array.from({ length: width }, () => []);
  rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== width)
      throw fail(`row ${r} has ${Array.isArray(row) ? row.length : 'no'} columns; expected ${width}`, r);
    row.forEach((value, c) => {
      if (
        typeof value !== 'number' ||
        value === Number.POSITIVE_INFINITY ||
        value === Number.NEGATIVE_INFINITY
      )
        throw fail(`value is ${String(value)}; expected a finite number or NaN (missing)`, r, `x${c}`);
      columns[c]!.push(value);
    });
  });
  return columns;
}
