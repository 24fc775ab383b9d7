import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { heapBudget } from './heap-budget.js';

const used = () => v8.getHeapStatistics().used_heap_size;

describe('heapBudget', () => {
  it('collects the garbage of earlier tasks once the heap has grown by the slack', () => {
    const check = heapBudget(8 * 1024 * 1024);
    // ~40 MiB of objects that outlive a few young-generation collections, then become garbage.
    let kept: { i: number; text: string }[][] = [];
    for (let round = 0; round < 20; round++) {
      kept.push(Array.from({ length: 50_000 }, (_, i) => ({ i, text: `record ${round}-${i}` })));
    }
    const before = used();
    kept = [];
    expect(kept).toHaveLength(0);
    check();
    expect(before - used()).toBeGreaterThan(20 * 1024 * 1024);
  });

  it('leaves a heap within the slack alone', () => {
    const check = heapBudget(512 * 1024 * 1024);
    const garbage = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    const before = used();
    garbage.length = 0;
    check();
    // No collection: the heap has not shrunk by the garbage's ~3 MiB.
    expect(before - used()).toBeLessThan(1024 * 1024);
  });
});
