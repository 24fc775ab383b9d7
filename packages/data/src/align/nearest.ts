import { z } from 'zod';
import { parseOptions } from '../errors.js';
import { readStream, type Stream, searchSorted, toValues } from './stream.js';

const nearestOptions = z.strictObject({
  /** Largest allowed |reference time − matched time|, inclusive; unlimited when absent. */
  tolerance: z.number().nonnegative().optional(),
  direction: z.enum(['backward', 'forward', 'nearest']).default('backward'),
  /** Whether a sample at exactly the reference time may match (pandas' `allow_exact_matches`). */
  allowExactMatches: z.boolean().default(true),
});
export type AlignNearestOptions = z.input<typeof nearestOptions>;

export interface AlignNearestResult {
  /** `other`'s values on `reference`'s times; `NaN` where nothing matched. */
  readonly stream: { name: string; times: number[]; values: number[] | number[][] };
  /** Index into `other` matched for each reference time, `-1` when none. */
  readonly matchedIndex: number[];
  /** Reference times with no sample of `other` within the direction and tolerance. */
  readonly unmatched: number;
}

/**
 * For each time of `reference`, the sample of `other` at or before it (`backward`), at or after it
 * (`forward`) or closest to it (`nearest`, ties go backward), within `tolerance` — the semantics of
 * `pandas.merge_asof`. Among equal times, backward takes the last sample and forward the first.
 */
export function alignNearest(
  reference: Stream,
  other: Stream,
  options: AlignNearestOptions = {},
): AlignNearestResult {
  const step = 'alignNearest';
  const { tolerance, direction, allowExactMatches } = parseOptions(step, nearestOptions, options);
  const ref = readStream(step, reference);
  const src = readStream(step, other);
  const times = src.times;
  const n = ref.times.length;
  const matchedIndex = new Array<number>(n);
  let unmatched = 0;
  for (let i = 0; i < n; i++) {
    const t = ref.times[i]!;
    // backward: last index with time <= t (or < t without exact matches)
    const back = searchSorted(times, t, allowExactMatches ? 'right' : 'left') - 1;
    // forward: first index with time >= t (or > t)
    const fwd = searchSorted(times, t, allowExactMatches ? 'left' : 'right');
    let j = -1;
    if (direction === 'backward') j = back;
    else if (direction === 'forward') j = fwd < times.length ? fwd : -1;
    else {
      const hasBack = back >= 0;
      const hasFwd = fwd < times.length;
      if (hasBack && hasFwd) j = t - times[back]! <= times[fwd]! - t ? back : fwd;
      else j = hasBack ? back : hasFwd ? fwd : -1;
    }
    if (j >= 0 && tolerance !== undefined && Math.abs(times[j]! - t) > tolerance) j = -1;
    matchedIndex[i] = j;
    if (j < 0) unmatched++;
  }
  const channels = src.channels.map((channel) => matchedIndex.map((j) => (j < 0 ? Number.NaN : channel[j]!)));
  return {
    stream: { name: src.name, times: [...ref.times], values: toValues(channels, n, src.vector) },
    matchedIndex,
    unmatched,
  };
}
