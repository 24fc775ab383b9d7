import { describe, expect, it } from 'vitest';
import { numpyArgsort } from './numpy-argsort.js';

/** Σ (k + 1) · order[k]: one number that pins down the whole permutation's tie order. */
const weightedSum = (order: Int32Array) => order.reduce((sum, index, k) => sum + (k + 1) * index, 0);

// References from numpy 1.24.2: `np.array([float(f(i)) for i in range(n)]).argsort()`.
describe('numpyArgsort', () => {
  it('breaks ties as numpy 1.24 does with many equal keys', () => {
    const order = numpyArgsort(Float64Array.from({ length: 300 }, (_, i) => (i * 7919) % 13));
    expect(Array.from(order.subarray(0, 40))).toEqual([
      0, 52, 65, 78, 91, 104, 117, 130, 143, 156, 169, 182, 195, 208, 221, 234, 247, 260, 273, 286, 39, 26,
      299, 13, 267, 111, 137, 46, 293, 72, 150, 163, 20, 98, 124, 176, 254, 189, 33, 85,
    ]);
    expect(weightedSum(order)).toBe(6776861);
  });

  it('matches numpy on three distinct keys and on a longer array', () => {
    const small = numpyArgsort(Float64Array.from({ length: 50 }, (_, i) => i % 3));
    expect(Array.from(small.subarray(0, 12))).toEqual([0, 45, 42, 39, 36, 33, 30, 27, 48, 21, 18, 15]);
    expect(weightedSum(small)).toBe(30641);
    const long = numpyArgsort(Float64Array.from({ length: 1000 }, (_, i) => -((i * i * 31 + 7) % 17)));
    expect(Array.from(long.subarray(0, 8))).toEqual([88, 898, 105, 581, 258, 745, 887, 734]);
    expect(weightedSum(long)).toBe(250093362);
  });

  it('sorts (the order is a permutation with non-decreasing keys)', () => {
    const values = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 100);
    const order = numpyArgsort(values);
    expect(new Set(order).size).toBe(values.length);
    for (let k = 1; k < order.length; k++) expect(values[order[k]!]! >= values[order[k - 1]!]!).toBe(true);
    expect(Array.from(numpyArgsort(new Float64Array([2, 1])))).toEqual([1, 0]);
    expect(numpyArgsort(new Float64Array(0)).length).toBe(0);
  });
});
