/** A candidate merge of the symbol at `pos` with the next one. */
export interface Merge {
  readonly rank: number;
  readonly pos: number;
  readonly newId: number;
}

/** Lowest rank first, then leftmost position: the order the Rust BPE pops its heap in. */
const before = (a: Merge, b: Merge): boolean => a.rank < b.rank || (a.rank === b.rank && a.pos < b.pos);

/** A binary min-heap of merges. */
export function createMergeQueue() {
  const heap: Merge[] = [];
  return {
    get size() {
      return heap.length;
    },
    push(merge: Merge): void {
      heap.push(merge);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!before(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    },
    pop(): Merge | undefined {
      const top = heap[0];
      const last = heap.pop();
      if (heap.length > 0 && last) {
        heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let best = i;
          if (l < heap.length && before(heap[l]!, heap[best]!)) best = l;
          if (r < heap.length && before(heap[r]!, heap[best]!)) best = r;
          if (best === i) break;
          [heap[i], heap[best]] = [heap[best]!, heap[i]!];
          i = best;
        }
      }
      return top;
    },
  };
}
