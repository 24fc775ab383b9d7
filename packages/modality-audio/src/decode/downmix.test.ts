import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { downmix } from './downmix.js';

describe('downmix', () => {
  it('averages channels frame by frame', () => {
    expect(Array.from(downmix([Float32Array.of(1, 0.5, -1), Float32Array.of(0, 0.5, 1)]))).toEqual([
      0.5, 0.5, 0,
    ]);
  });

  it('returns a copy of a mono channel', () => {
    const mono = Float32Array.of(0.25, -0.25);
    const out = downmix([mono]);
    expect(out).toEqual(mono);
    expect(out).not.toBe(mono);
  });

  it('rejects no channels and ragged channels with a typed error', () => {
    expect(() => downmix([])).toThrow(OmnifuseError);
    expect(() => downmix([new Float32Array(2), new Float32Array(3)])).toThrow(/equal length/);
  });
});
