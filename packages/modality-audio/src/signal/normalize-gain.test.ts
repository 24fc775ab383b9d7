import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { normalizeGain } from './normalize-gain.js';

describe('normalizeGain', () => {
  it('peak: the largest magnitude becomes the target', () => {
    const out = normalizeGain(Float32Array.of(0.1, -0.4, 0.2), { mode: 'peak', target: 0.8 });
    expect(Array.from(out).map((v) => +v.toFixed(6))).toEqual([0.2, -0.8, 0.4]);
  });

  it('rms: the root mean square becomes the target', () => {
    const out = normalizeGain(Float32Array.of(0.1, -0.1, 0.1, -0.1), { mode: 'rms', target: 0.25 });
    expect(Math.sqrt(out.reduce((s, v) => s + v * v, 0) / out.length)).toBeCloseTo(0.25, 6);
  });

  it('a silent or empty clip stays zeros, never NaN', () => {
    for (const mode of ['peak', 'rms'] as const) {
      expect(Array.from(normalizeGain(new Float32Array(4), { mode, target: 0.5 }))).toEqual([0, 0, 0, 0]);
      expect(normalizeGain(new Float32Array(0), { mode, target: 0.5 }).length).toBe(0);
    }
  });

  it('rejects a bad target or mode, and non-finite samples, with typed errors', () => {
    const clip = Float32Array.of(0.5);
    for (const target of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(() => normalizeGain(clip, { mode: 'peak', target })).toThrow(OmnifuseError);
    }
    expect(() => normalizeGain(clip, { mode: 'loud' as 'peak', target: 1 })).toThrow(/unknown mode/);
    try {
      normalizeGain(Float32Array.of(0.5, Number.NaN), { mode: 'rms', target: 0.1 });
      expect.unreachable();
    } catch (error) {
      expect((error as OmnifuseError).code).toBe(ErrorCode.InvalidInput);
    }
  });
});
