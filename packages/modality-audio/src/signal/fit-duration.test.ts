import { createRng, ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { fitDuration } from './fit-duration.js';

const clip = Float32Array.of(1, 2, 3, 4, 5);

describe('fitDuration', () => {
  it('start: crops the tail or pads zeros at the end', () => {
    expect(Array.from(fitDuration(clip, 3))).toEqual([1, 2, 3]);
    expect(Array.from(fitDuration(clip, 7, { mode: 'start' }))).toEqual([1, 2, 3, 4, 5, 0, 0]);
  });

  it('centre: keeps the middle or pads both sides (the odd zero at the end)', () => {
    expect(Array.from(fitDuration(clip, 3, { mode: 'centre' }))).toEqual([2, 3, 4]);
    expect(Array.from(fitDuration(clip, 8, { mode: 'centre' }))).toEqual([0, 1, 2, 3, 4, 5, 0, 0]);
  });

  it('returns a copy at the same length, and an empty array for length 0', () => {
    const same = fitDuration(clip, 5, { mode: 'centre' });
    expect(same).toEqual(clip);
    expect(same).not.toBe(clip);
    expect(fitDuration(clip, 0).length).toBe(0);
  });

  it('random: offsets come from the rng, reproducibly, and stay in range', () => {
    const a = Array.from({ length: 20 }, (_, i) =>
      Array.from(fitDuration(clip, 2, { mode: 'random', rng: createRng(i) })),
    );
    const b = Array.from({ length: 20 }, (_, i) =>
      Array.from(fitDuration(clip, 2, { mode: 'random', rng: createRng(i) })),
    );
    expect(a).toEqual(b);
    expect(new Set(a.map((w) => w[0])).size).toBeGreaterThan(1);
    for (const w of a) expect(w[1]! - w[0]!).toBe(1);
    const rng = createRng(3);
    for (let i = 0; i < 20; i++) {
      const padded = fitDuration(clip, 9, { mode: 'random', rng });
      expect(padded.reduce((s, v) => s + v, 0)).toBe(15);
      expect(Array.from(padded.filter((v) => v !== 0))).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('random without an rng, a bad length or mode is a typed options error', () => {
    for (const run of [
      () => fitDuration(clip, 3, { mode: 'random' }),
      () => fitDuration(clip, -1),
      () => fitDuration(clip, 2.5),
      () => fitDuration(clip, 3, { mode: 'end' as 'start' }),
    ]) {
      expect(run).toThrow(OmnifuseError);
      try {
        run();
      } catch (error) {
        expect((error as OmnifuseError).code).toBe(ErrorCode.InvalidOptions);
      }
    }
    expect(() => fitDuration(clip, 3, { mode: 'random' })).toThrow(/needs an rng/);
  });
});
