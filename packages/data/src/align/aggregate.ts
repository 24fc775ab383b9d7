import { z } from 'zod';
import { inputError, parseOptions } from '../errors.js';
import { readStream, type Stream, searchSorted, toValues } from './stream.js';

export const REDUCERS = ['mean', 'sum', 'min', 'max', 'last', 'count'] as const;
export type Reducer = (typeof REDUCERS)[number];

const aggregateOptions = z.strictObject({
  /** Width of each window, in the stream's time unit. */
  window: z.number().positive(),
  /** Distance between window starts; defaults to `window` (tumbling windows). */
  step: z.number().positive().optional(),
  /** Start of the first window; defaults to the first time. */
  start: z.number().optional(),
  /** Windows start while `start + k·step <= end`; defaults to the last time. */
  end: z.number().optional(),
  reducer: z.enum(REDUCERS).default('mean'),
});
export type AggregateOptions = z.input<typeof aggregateOptions>;

export interface AggregateResult {
  /** One value per window, labelled by the window's start; `NaN` for an empty window (`count`: 0). */
  readonly stream: { name: string; times: number[]; values: number[] | number[][] };
  /** Windows without any non-missing sample. */
  readonly emptyWindows: number;
}

/**
 * Reduces a stream over windows `[start + k·step, start + k·step + window)` (closed left, open right,
 * labelled by their start, as pandas' default resample). `NaN` samples are skipped, never counted.
 */
export function aggregateWindows(stream: Stream, options: AggregateOptions): AggregateResult {
  const name = 'aggregateWindows';
  const parsed = parseOptions(name, aggregateOptions, options);
  const src = readStream(name, stream);
  const stepSize = parsed.step ?? parsed.window;
  const start = parsed.start ?? src.times[0];
  const end = parsed.end ?? src.times[src.times.length - 1];
  if (start === undefined || end === undefined) {
    throw inputError(name, `stream "${src.name}" is empty and no start/end was given`, { field: src.name });
  }
  const count = end < start ? 0 : Math.floor((end - start) / stepSize + 1e-9) + 1;
  const windowStarts = Array.from({ length: count }, (_, k) => start + k * stepSize);
  let emptyWindows = 0;
  const empties = new Array<boolean>(count).fill(true);
  const channels = src.channels.map((channel) =>
    windowStarts.map((lo, k) => {
      const from = searchSorted(src.times, lo, 'left');
      const to = searchSorted(src.times, lo + parsed.window, 'left');
      const value = reduce(channel, from, to, parsed.reducer);
      if (parsed.reducer === 'count' ? value > 0 : !Number.isNaN(value)) empties[k] = false;
      return value;
    }),
  );
  for (const empty of empties) if (empty) emptyWindows++;
  return {
    stream: { name: src.name, times: windowStarts, values: toValues(channels, count, src.vector) },
    emptyWindows,
  };
}

function reduce(values: readonly number[], from: number, to: number, reducer: Reducer): number {
  let n = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let last = Number.NaN;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    last = v;
  }
  if (reducer === 'count') return n;
  if (n === 0) return Number.NaN;
  switch (reducer) {
    case 'mean':
      return sum / n;
    case 'sum':
      return sum;
    case 'min':
      return min;
    case 'max':
      return max;
    default:
      return last;
  }
}
