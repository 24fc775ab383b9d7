import { inputError } from '../errors.js';

/**
 * A time series: ascending `times` (any unit — ms or s — as long as all streams and options use the
 * same one) and one value per time, either a number or a fixed-width vector. `NaN` marks a missing
 * value and is carried through (never invented, never dropped silently).
 */
export interface Stream {
  readonly name: string;
  readonly times: readonly number[];
  readonly values: readonly number[] | readonly (readonly number[])[];
}

/** A stream split into channels (one array per vector component) after validation. */
export interface Channels {
  readonly name: string;
  readonly times: readonly number[];
  /** `channels[c][i]` is component `c` at `times[i]`. */
  readonly channels: readonly (readonly number[])[];
  /** Whether the values were vectors (output keeps the same shape). */
  readonly vector: boolean;
}

/**
 * Validates a stream: finite times, ascending (strictly when `strict`), one value per time, vectors
 * of one width, and no ±Infinity values. Errors name the stream (`field`) and the index (`record`).
 */
export function readStream(step: string, stream: Stream, { strict = false } = {}): Channels {
  const { name, times, values } = stream;
  if (!Array.isArray(times) || !Array.isArray(values)) {
    throw inputError(step, `stream "${name}" needs arrays \`times\` and \`values\``, { field: name });
  }
  if (times.length !== values.length) {
    throw inputError(step, `stream "${name}" has ${times.length} times but ${values.length} values`, {
      field: name,
      expected: times.length,
      found: values.length,
    });
  }
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (!Number.isFinite(t)) throw inputError(step, `time is ${t}`, { field: name, record: i });
    if (i > 0 && (t < times[i - 1]! || (strict && t === times[i - 1]!))) {
      throw inputError(
        step,
        `times must be ${strict ? 'strictly increasing' : 'sorted ascending'}: ${t} follows ${times[i - 1]}`,
        { field: name, record: i },
      );
    }
  }
  const vector = values.length > 0 && Array.isArray(values[0]);
  const width = vector ? (values[0] as readonly number[]).length : 1;
  const channels = Array.from({ length: width }, () => new Array<number>(values.length));
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const row: readonly number[] = vector ? (value as readonly number[]) : [value as number];
    if (!Array.isArray(row) && vector)
      throw inputError(step, 'value is not a vector', { field: name, record: i });
    if (row.length !== width) {
      throw inputError(step, `value has ${row.length} components; expected ${width}`, {
        field: name,
        record: i,
        expected: width,
        found: row.length,
      });
    }
    for (let c = 0; c < width; c++) {
      const v = row[c];
      if (typeof v !== 'number' || v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
        throw inputError(step, `value is ${String(v)}; expected a finite number or NaN`, {
          field: name,
          record: i,
        });
      }
      channels[c]![i] = v;
    }
  }
  return { name, times, channels, vector };
}

/** Builds a stream's `values` back from channels, in the input's shape (numbers or vectors). */
export function toValues(
  channels: readonly (readonly number[])[],
  length: number,
  vector: boolean,
): number[] | number[][] {
  if (!vector) return Array.from({ length }, (_, i) => channels[0]![i]!);
  return Array.from({ length }, (_, i) => channels.map((channel) => channel[i]!));
}

/** Index of the first element `>= x` (`side: 'left'`) or `> x` (`'right'`), like numpy.searchsorted. */
export function searchSorted(times: readonly number[], x: number, side: 'left' | 'right' = 'left'): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (side === 'left' ? times[mid]! < x : times[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
