import { describe, expect, it } from 'vitest';
import { cmvn } from './cmvn.js';
import { dctMatrix } from './dct.js';
import { deltas } from './deltas.js';
import { powerToDb } from './power-to-db.js';

describe('deltas', () => {
  it('gives the slope of a ramp and twice the curvature of a parabola, edges included', () => {
    const frames = 20;
    const ramp = Float64Array.from({ length: frames * 2 }, (_, i) =>
      i % 2 === 0 ? 3 * (i >> 1) : -0.5 * (i >> 1),
    );
    const d1 = deltas(ramp, frames, 2, 1);
    for (let t = 0; t < frames; t++) {
      expect(d1[2 * t]).toBeCloseTo(3, 10);
      expect(d1[2 * t + 1]).toBeCloseTo(-0.5, 10);
    }
    const parabola = Float64Array.from({ length: frames }, (_, t) => 0.25 * t * t - t + 2);
    const d2 = deltas(parabola, frames, 1, 2);
    for (let t = 0; t < frames; t++) expect(d2[t]).toBeCloseTo(0.5, 10);
  });

  it('shrinks the window for short inputs and returns zeros when nothing fits', () => {
    const ramp = Float64Array.from([0, 2, 4, 6]);
    expect(Array.from(deltas(ramp, 4, 1, 1))).toEqual([2, 2, 2, 2].map(() => expect.closeTo(2, 10)));
    expect(Array.from(deltas(Float64Array.from([1, 3]), 2, 1, 1))).toEqual([2, 2]);
    expect(Array.from(deltas(Float64Array.from([1, 3]), 2, 1, 2))).toEqual([0, 0]);
    expect(Array.from(deltas(Float64Array.from([5]), 1, 1, 1))).toEqual([0]);
  });
});

describe('cmvn', () => {
  it('gives zero mean and unit variance per dimension, and leaves constants at zero', () => {
    const data = Float64Array.from([1, 7, 2, 7, 3, 7, 6, 7]);
    cmvn(data, 4, 2);
    const col = (d: number) => [0, 1, 2, 3].map((t) => data[t * 2 + d]);
    const mean = col(0).reduce((a, v) => a + v) / 4;
    const variance = col(0).reduce((a, v) => a + (v - mean) ** 2, 0) / 4;
    expect(mean).toBeCloseTo(0, 12);
    expect(variance).toBeCloseTo(1, 12);
    expect(col(1)).toEqual([0, 0, 0, 0]);
  });
});

describe('dctMatrix', () => {
  it('is orthonormal', () => {
    const n = 16;
    const m = dctMatrix(n, n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += m[a * n + i] * m[b * n + i];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
  });
});

describe('powerToDb', () => {
  it('floors at amin and clips topDb below the maximum', () => {
    const out = powerToDb(Float64Array.from([1, 0.1, 1e-12, 100]));
    expect(Array.from(out)).toEqual([0, -10, -60, 20].map((v) => expect.closeTo(v, 10)));
    const clipped = powerToDb(Float64Array.from([1, 1e-9]), { topDb: 40 });
    expect(clipped[1]).toBeCloseTo(-40, 10);
    const unclipped = powerToDb(Float64Array.from([1, 1e-9]), { topDb: null, ref: 10 });
    expect(Array.from(unclipped)).toEqual([-10, -100].map((v) => expect.closeTo(v, 10)));
  });
});
