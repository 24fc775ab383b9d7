import { readFileSync } from 'node:fs';
import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { aggregateWindows, alignNearest, alignStreams, interpolateLinear, resample } from './index.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/align.json', import.meta.url), 'utf8'));

// The pandas.merge_asof docstring example: left a=[1,5,10], right a=[1,2,3,6,7], right_val = a.
const left = { name: 'left', times: [1, 5, 10], values: [0, 0, 0] };
const right = { name: 'right', times: [1, 2, 3, 6, 7], values: [1, 2, 3, 6, 7] };

describe('alignNearest (pandas.merge_asof semantics)', () => {
  it('matches the merge_asof documentation examples', () => {
    expect(alignNearest(left, right).stream.values).toEqual([1, 3, 7]);
    expect(alignNearest(left, right, { allowExactMatches: false }).stream.values).toEqual([Number.NaN, 3, 7]);
    expect(alignNearest(left, right, { direction: 'forward' }).stream.values).toEqual([1, 6, Number.NaN]);
    expect(alignNearest(left, right, { direction: 'nearest' }).stream.values).toEqual([1, 6, 7]);
  });

  it('applies the tolerance inclusively and counts unmatched times', () => {
    const result = alignNearest(left, right, { tolerance: 2 });
    expect(result.stream.values).toEqual([1, 3, Number.NaN]);
    expect(result.matchedIndex).toEqual([0, 2, -1]);
    expect(result.unmatched).toBe(1);
    expect(alignNearest(left, right, { tolerance: 3 }).unmatched).toBe(0);
  });

  it('breaks nearest ties backward and handles duplicate times like pandas', () => {
    const other = { name: 'o', times: [0, 2, 2, 4], values: [10, 20, 21, 40] };
    const ref = { name: 'r', times: [1, 2, 3], values: [0, 0, 0] };
    expect(alignNearest(ref, other, { direction: 'nearest' }).stream.values).toEqual([10, 21, 21]);
    expect(alignNearest(ref, other, { direction: 'forward' }).stream.values).toEqual([20, 20, 40]);
  });

  it('keeps vector values as vectors', () => {
    const other = {
      name: 'v',
      times: [0, 10],
      values: [
        [1, 2],
        [3, 4],
      ],
    };
    const ref = { name: 'r', times: [4, 11], values: [0, 0] };
    expect(alignNearest(ref, other).stream.values).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('refuses unsorted times, naming the stream and the index', () => {
    const bad = { name: 'gps', times: [0, 2, 1], values: [1, 2, 3] };
    try {
      alignNearest(left, bad);
      expect.unreachable();
    } catch (error) {
      expect(OmnifuseError.isInstance(error)).toBe(true);
      expect((error as OmnifuseError).field).toBe('gps');
      expect((error as OmnifuseError).record).toBe(2);
      expect((error as OmnifuseError).step).toBe('alignNearest');
    }
    expect(() => alignNearest(left, { name: 'x', times: [0, 1], values: [1] })).toThrow(
      /2 times but 1 values/,
    );
  });
});

describe('interpolateLinear', () => {
  const { xp, fp, x, expected, hold } = fixture.interp;
  const stream = { name: 's', times: xp, values: fp };

  it('agrees with numpy.interp inside the range and gives NaN outside', () => {
    const values = interpolateLinear(stream, x).values as number[];
    values.forEach((v, i) => {
      if (expected[i] === null) expect(v).toBeNaN();
      else expect(v).toBeCloseTo(expected[i], 12);
    });
    expect(expected.filter((e: number | null) => e === null).length).toBeGreaterThan(0);
  });

  it('holds edge values like numpy.interp with extrapolate: hold', () => {
    const values = interpolateLinear(stream, x, { extrapolate: 'hold' }).values as number[];
    for (const [i, v] of values.entries()) expect(v).toBeCloseTo(hold[i], 12);
  });

  it('leaves NaN across gaps longer than maxGap', () => {
    const s = { name: 's', times: [0, 1, 10], values: [0, 1, 10] };
    expect(interpolateLinear(s, [0.5, 5], { maxGap: 2 }).values).toEqual([0.5, Number.NaN]);
  });

  it('refuses repeated times', () => {
    expect(() => interpolateLinear({ name: 's', times: [0, 1, 1], values: [0, 1, 2] }, [0.5])).toThrow(
      /strictly increasing/,
    );
  });
});

describe('aggregateWindows and resample', () => {
  const stream = { name: 't', times: [0, 1, 2, 3, 4, 5, 9], values: [1, 2, Number.NaN, 4, 5, 6, 10] };

  it('reduces closed-open windows, skipping NaN and counting empty windows', () => {
    const mean = aggregateWindows(stream, { window: 3, reducer: 'mean' });
    expect(mean.stream.times).toEqual([0, 3, 6, 9]);
    expect(mean.stream.values).toEqual([1.5, 5, Number.NaN, 10]);
    expect(mean.emptyWindows).toBe(1);
    expect(aggregateWindows(stream, { window: 3, reducer: 'count' }).stream.values).toEqual([2, 3, 0, 1]);
    expect(aggregateWindows(stream, { window: 3, reducer: 'last' }).stream.values).toEqual([
      2,
      6,
      Number.NaN,
      10,
    ]);
    expect(aggregateWindows(stream, { window: 4, step: 2, reducer: 'max', end: 4 }).stream.values).toEqual([
      4, 6, 6,
    ]);
  });

  it('resamples to a rate by each method', () => {
    const s = { name: 's', times: [0, 0.4, 1.1, 2], values: [0, 4, 11, 20] };
    expect(resample(s, 2, { method: 'linear' }).values).toEqual([0, 5, 10, 15, 20]);
    expect(resample(s, 2, { method: 'linear' }).times).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(resample(s, 2, { method: 'nearest' }).values).toEqual([0, 4, 11, Number.NaN, 20]);
    expect(resample(s, 1, { method: 'mean' }).values).toEqual([2, 11, 20]);
  });
});

describe('alignStreams', () => {
  it('puts streams on one grid and reports gaps', () => {
    const table = alignStreams(
      [
        { name: 'temp', times: [0, 1, 2, 3, 4], values: [10, 11, 12, 13, 14] },
        {
          name: 'wind',
          times: [2, 4, 6],
          values: [
            [1, 0],
            [2, 0],
            [3, 1],
          ],
        },
      ],
      { rate: 1, method: 'linear' },
    );
    expect(table.times).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(table.columns.temp).toEqual([10, 11, 12, 13, 14, Number.NaN, Number.NaN]);
    expect(table.columns['wind.0']).toEqual([Number.NaN, Number.NaN, 1, 1.5, 2, 2.5, 3]);
    expect(table.report.columns.temp).toEqual({ missing: 2, gaps: [{ start: 5, end: 6, rows: 2 }] });
    expect(table.report.columns['wind.1']!.gaps).toEqual([{ start: 0, end: 1, rows: 2 }]);
    expect(table.report.completeRows).toBe(3);
  });

  it('aligns onto a reference stream with a tolerance', () => {
    const table = alignStreams(
      [
        { name: 'frames', times: [0, 40, 80, 120], values: [0, 1, 2, 3] },
        { name: 'imu', times: [3, 38, 130], values: [0.1, 0.2, 0.3] },
      ],
      { referenceStream: 'frames', method: 'nearest', tolerance: 15 },
    );
    expect(table.columns.frames).toEqual([0, 1, 2, 3]);
    expect(table.columns.imu).toEqual([0.1, 0.2, Number.NaN, 0.3]);
    expect(table.report.columns.imu!.missing).toBe(1);
  });

  it('averages into bins with method mean, overlap span, and carries NaN values through', () => {
    const table = alignStreams(
      [
        { name: 'a', times: [0, 0.5, 1, 1.5, 2, 2.5, 3], values: [1, 3, 5, Number.NaN, 7, 9, 11] },
        { name: 'b', times: [1, 2, 3, 4], values: [10, 20, 30, 40] },
      ],
      { rate: 1, method: 'mean', span: 'overlap' },
    );
    expect(table.times).toEqual([1, 2, 3]);
    expect(table.columns.a).toEqual([5, 8, 11]);
    expect(table.columns.b).toEqual([10, 20, 30]);
    const carried = alignNearest(
      { name: 'r', times: [1], values: [0] },
      { name: 'o', times: [1], values: [Number.NaN] },
    );
    expect(carried.stream.values).toEqual([Number.NaN]);
    expect(carried.unmatched).toBe(0);
  });

  it('refuses empty streams, duplicate names and infinite values', () => {
    expect(() => alignStreams([{ name: 'a', times: [], values: [] }], { rate: 1 })).toThrow(/"a" is empty/);
    const a = { name: 'a', times: [0], values: [1] };
    expect(() => alignStreams([a, a], { rate: 1 })).toThrow(/two streams are named "a"/);
    expect(() => resample({ name: 'a', times: [0, 1], values: [1, Number.POSITIVE_INFINITY] }, 1)).toThrow(
      /Infinity/,
    );
    expect(() => aggregateWindows({ name: 'e', times: [], values: [] }, { window: 1 })).toThrow(/empty/);
  });

  it('refuses options that name neither a rate nor a reference, and unknown references', () => {
    const s = [{ name: 'a', times: [0], values: [1] }];
    expect(() => alignStreams(s, {} as never)).toThrow(/exactly one of/);
    expect(() => alignStreams(s, { referenceStream: 'b' })).toThrow(/no stream named "b"/);
  });
});
