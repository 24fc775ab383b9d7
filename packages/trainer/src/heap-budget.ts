import v8 from 'node:v8';
import vm from 'node:vm';

/** Garbage a long-running loop may accumulate before it collects it (see {@link heapBudget}). */
export const HEAP_SLACK_BYTES = 32 * 1024 * 1024;

/**
 * A check to call after each step of a long loop over records (a preprocessing thread's slices, the
 * packing of a split's chunks): once the V8 heap of the calling thread has grown by `slack` bytes
 * since the last collection, it collects. A step's records and features live across many awaits, so
 * they survive the young generation and die in the old one, which V8 lets grow to several times what
 * is live before compacting: measured here, each preprocessing thread grew from 60 to 220 MiB over
 * 200,000 cached records (all of it garbage), so a run's peak memory grew with the dataset.
 * Collecting at a fixed slack bounds it, at one full collection per `slack` bytes promoted. The collector is reached as jest's leak detector does (`--expose-gc` set at
 * run time, `gc` from a fresh context); where that is refused the check does nothing.
 */
export function heapBudget(slack = HEAP_SLACK_BYTES): () => void {
  let collect: (() => void) | null | undefined;
  let floor = v8.getHeapStatistics().used_heap_size;
  return () => {
    if (v8.getHeapStatistics().used_heap_size < floor + slack) return;
    collect ??= exposedGc();
    if (!collect) return;
    collect();
    floor = v8.getHeapStatistics().used_heap_size;
  };
}

function exposedGc(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
