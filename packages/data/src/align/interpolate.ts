import { z } from 'zod';
import { parseOptions } from '../errors.js';
import { readStream, type Stream, searchSorted, toValues } from './stream.js';

const interpolateOptions = z.strictObject({
  /** Outside the stream's time range: `none` gives `NaN` (default), `hold` repeats the edge value. */
  extrapolate: z.enum(['none', 'hold']).default('none'),
  /** Leave `NaN` where the two samples around a time are more than this apart (an outage, not a trend). */
  maxGap: z.number().positive().optional(),
});
export type InterpolateOptions = z.input<typeof interpolateOptions>;

/**
 * Linear interpolation of a stream at `times` (any order), as `numpy.interp` but without silent
 * extrapolation: outside the sampled range the result is `NaN` unless `extrapolate: 'hold'`. A time
 * that hits a sample exactly gets that sample; otherwise a `NaN` neighbour gives `NaN`. The stream's
 * times must be strictly increasing (two values at one time leave the line undefined).
 */
export function interpolateLinear(
  stream: Stream,
  times: readonly number[],
  options: InterpolateOptions = {},
): { name: string; times: number[]; values: number[] | number[][] } {
  const step = 'interpolateLinear';
  const { extrapolate, maxGap } = parseOptions(step, interpolateOptions, options);
  const src = readStream(step, stream, { strict: true });
  const xp = src.times;
  const n = xp.length;
  const channels = src.channels.map((fp) =>
    times.map((x) => {
      if (Number.isNaN(x) || n === 0) return Number.NaN;
      if (x <= xp[0]! || x >= xp[n - 1]!) {
        if (x === xp[0]) return fp[0]!;
        if (x === xp[n - 1]) return fp[n - 1]!;
        return extrapolate === 'hold' ? (x < xp[0]! ? fp[0]! : fp[n - 1]!) : Number.NaN;
      }
      const j = searchSorted(xp, x, 'right') - 1; // xp[j] <= x < xp[j + 1]
      if (x === xp[j]) return fp[j]!;
      const x0 = xp[j]!;
      const x1 = xp[j + 1]!;
      if (maxGap !== undefined && x1 - x0 > maxGap) return Number.NaN;
      const slope = (fp[j + 1]! - fp[j]!) / (x1 - x0);
      return slope * (x - x0) + fp[j]!;
    }),
  );
  return { name: src.name, times: [...times], values: toValues(channels, times.length, src.vector) };
}
