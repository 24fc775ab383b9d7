import { z } from 'zod';
import { inputError, parseOptions } from '../errors.js';
import { aggregateWindows } from './aggregate.js';
import { interpolateLinear } from './interpolate.js';
import { alignNearest } from './nearest.js';
import { readStream, type Stream } from './stream.js';

export type ResampleMethod = 'linear' | 'nearest' | 'mean';

const resampleOptions = z.strictObject({
  /**
   * `linear`: interpolate; `nearest`: closest sample within `tolerance` (default half a period);
   * `mean`: average of the samples in `[t, t + period)`.
   */
  method: z.enum(['linear', 'nearest', 'mean']).default('linear'),
  start: z.number().optional(),
  end: z.number().optional(),
  /** For `nearest`: largest distance to a sample; for `linear`: largest gap to interpolate across. */
  tolerance: z.number().positive().optional(),
});
export type ResampleOptions = z.input<typeof resampleOptions>;

/** Grid `start + k / rate` for `k = 0, 1, …` while `<= end` (computed from `k`, so no drift). */
export function timeGrid(start: number, end: number, rate: number): number[] {
  if (!(rate > 0) || !Number.isFinite(rate))
    throw inputError('timeGrid', `rate must be positive; got ${rate}`);
  const count = end < start ? 0 : Math.floor((end - start) * rate + 1e-9) + 1;
  return Array.from({ length: count }, (_, k) => start + k / rate);
}

/**
 * Resamples a stream onto a regular grid of `rate` samples per time unit (times in seconds ⇒ Hz;
 * in ms ⇒ per ms), from its first to its last time unless `start`/`end` say otherwise.
 */
export function resample(
  stream: Stream,
  rate: number,
  options: ResampleOptions = {},
): { name: string; times: number[]; values: number[] | number[][] } {
  const step = 'resample';
  const parsed = parseOptions(step, resampleOptions, options);
  if (!(rate > 0) || !Number.isFinite(rate)) throw inputError(step, `rate must be positive; got ${rate}`);
  const src = readStream(step, stream);
  const start = parsed.start ?? src.times[0];
  const end = parsed.end ?? src.times[src.times.length - 1];
  if (start === undefined || end === undefined) {
    throw inputError(step, `stream "${src.name}" is empty and no start/end was given`, { field: src.name });
  }
  const grid = timeGrid(start, end, rate);
  return onTimes(
    stream,
    grid,
    parsed.method,
    parsed.tolerance ?? (parsed.method === 'nearest' ? 0.5 / rate : undefined),
    1 / rate,
  );
}

function onTimes(
  stream: Stream,
  times: readonly number[],
  method: ResampleMethod,
  tolerance: number | undefined,
  period: number | undefined,
): { name: string; times: number[]; values: number[] | number[][] } {
  if (method === 'linear') {
    return interpolateLinear(stream, times, tolerance === undefined ? {} : { maxGap: tolerance });
  }
  if (method === 'nearest') {
    const reference = { name: 'grid', times, values: times.map(() => 0) };
    return alignNearest(reference, stream, { direction: 'nearest', tolerance }).stream;
  }
  // mean: bins [t_i, t_{i+1}); the last bin is as wide as `period` or the previous spacing
  const values: (number | number[])[] = [];
  for (let i = 0; i < times.length; i++) {
    const width =
      i + 1 < times.length ? times[i + 1]! - times[i]! : (period ?? (i > 0 ? times[i]! - times[i - 1]! : 1));
    const bin = aggregateWindows(stream, {
      window: width,
      start: times[i]!,
      end: times[i]!,
      reducer: 'mean',
    });
    values.push(bin.stream.values[0]!);
  }
  return { name: stream.name, times: [...times], values: values as number[] | number[][] };
}

const alignOptions = z
  .strictObject({
    /** Common grid of `rate` samples per time unit… */
    rate: z.number().positive().optional(),
    /** …or the times of this stream (whose own values are kept as they are). */
    referenceStream: z.string().optional(),
    method: z.enum(['linear', 'nearest', 'mean']).default('linear'),
    tolerance: z.number().positive().optional(),
    /** `union` (default): grid over all streams' range, `NaN` where a stream has no data; `overlap`: only where all have. */
    span: z.enum(['union', 'overlap']).default('union'),
  })
  .refine((o) => (o.rate === undefined) !== (o.referenceStream === undefined), {
    message: 'give exactly one of `rate` and `referenceStream`',
  });
export type AlignStreamsOptions = z.input<typeof alignOptions>;

/** A run of consecutive missing rows in one column. */
export interface Gap {
  readonly start: number;
  readonly end: number;
  readonly rows: number;
}

export interface AlignedTable {
  readonly times: number[];
  /** One column per stream; a vector stream `s` of width k gives columns `s.0` … `s.(k-1)`. */
  readonly columns: Record<string, number[]>;
  readonly report: {
    readonly rows: number;
    /** Per column: missing cells and the runs of missing rows (outages, edges outside a stream's range). */
    readonly columns: Record<string, { missing: number; gaps: Gap[] }>;
    /** Rows where every column has a value. */
    readonly completeRows: number;
  };
}

/**
 * Aligns several streams on one time axis — a regular grid (`rate`) or a reference stream's times —
 * into one table, and reports where each column has gaps instead of filling them silently.
 */
export function alignStreams(streams: readonly Stream[], options: AlignStreamsOptions): AlignedTable {
  const step = 'alignStreams';
  const parsed = parseOptions(step, alignOptions, options);
  if (streams.length === 0) throw inputError(step, 'no streams to align');
  const seen = new Set<string>();
  const checked = streams.map((stream) => {
    if (seen.has(stream.name))
      throw inputError(step, `two streams are named "${stream.name}"`, { field: stream.name });
    seen.add(stream.name);
    const channels = readStream(step, stream);
    if (channels.times.length === 0)
      throw inputError(step, `stream "${stream.name}" is empty`, { field: stream.name });
    return channels;
  });
  let times: number[];
  if (parsed.referenceStream !== undefined) {
    const reference = checked.find((s) => s.name === parsed.referenceStream);
    if (!reference) {
      throw inputError(step, `no stream named "${parsed.referenceStream}"`, {
        field: parsed.referenceStream,
        expected: checked.map((s) => s.name),
      });
    }
    times = [...reference.times];
  } else {
    const starts = checked.map((s) => s.times[0]!);
    const ends = checked.map((s) => s.times[s.times.length - 1]!);
    const overlap = parsed.span === 'overlap';
    const start = overlap ? Math.max(...starts) : Math.min(...starts);
    const end = overlap ? Math.min(...ends) : Math.max(...ends);
    times = timeGrid(start, end, parsed.rate!);
  }
  const tolerance =
    parsed.tolerance ?? (parsed.method === 'nearest' && parsed.rate ? 0.5 / parsed.rate : undefined);
  const columns: Record<string, number[]> = {};
  for (let s = 0; s < streams.length; s++) {
    const stream = streams[s]!;
    const info = checked[s]!;
    const aligned =
      stream.name === parsed.referenceStream
        ? { values: stream.values }
        : onTimes(stream, times, parsed.method, tolerance, parsed.rate ? 1 / parsed.rate : undefined);
    info.channels.forEach((_, c) => {
      const column = info.vector ? `${stream.name}.${c}` : stream.name;
      columns[column] = (aligned.values as readonly (number | readonly number[])[]).map((v) =>
        info.vector ? (v as readonly number[])[c]! : (v as number),
      );
    });
  }
  const report: AlignedTable['report']['columns'] = {};
  for (const [column, values] of Object.entries(columns)) report[column] = gapsOf(values, times);
  let completeRows = 0;
  const all = Object.values(columns);
  for (let i = 0; i < times.length; i++) if (all.every((column) => !Number.isNaN(column[i]!))) completeRows++;
  return { times, columns, report: { rows: times.length, columns: report, completeRows } };
}

function gapsOf(values: readonly number[], times: readonly number[]): { missing: number; gaps: Gap[] } {
  const gaps: Gap[] = [];
  let missing = 0;
  let runStart = -1;
  for (let i = 0; i <= values.length; i++) {
    const isMissing = i < values.length && Number.isNaN(values[i]!);
    if (isMissing) {
      missing++;
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      gaps.push({ start: times[runStart]!, end: times[i - 1]!, rows: i - runStart });
      runStart = -1;
    }
  }
  return { missing, gaps };
}
