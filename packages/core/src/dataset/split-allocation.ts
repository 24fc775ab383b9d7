/** Counting helpers of the splits: rounding shares to whole records, and packing groups into splits. */

/**
 * Largest-remainder rounding of `n × weights`: each count is the floor or ceiling of its exact share.
 * Leftover units go to the largest fractional parts plus `bias` (used to carry rounding debt between
 * strata), ties to the earlier split.
 */
export function apportion(n: number, weights: readonly number[], bias: readonly number[] = []): number[] {
  const exact = weights.map((w) => n * w);
  const counts = exact.map(Math.floor);
  let rest = n - counts.reduce((a, b) => a + b, 0);
  const order = weights
    .map((w, i) => ({ i, priority: exact[i]! - counts[i]! + (bias[i] ?? 0), w }))
    .filter(({ w }) => w > 0)
    .sort((a, b) => b.priority - a.priority || a.i - b.i);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) counts[order[k]!.i]!++;
  return counts;
}

/** Moves one unit into each empty split with a positive weight, from the largest, when n allows. */
export function ensureEveryPositive(counts: number[], weights: readonly number[]): number[] {
  const positive = weights.filter((w) => w > 0).length;
  const n = counts.reduce((a, b) => a + b, 0);
  if (n < positive) return counts;
  for (let i = 0; i < counts.length; i++) {
    if (weights[i]! > 0 && counts[i] === 0) {
      const donor = counts.indexOf(Math.max(...counts));
      counts[donor]!--;
      counts[i]!++;
    }
  }
  return counts;
}

/**
 * Bin assignment of groups (sizes in seeded order) to splits with targets `weights × total`:
 * largest groups first, each to the split furthest below its target, then single moves and pairwise
 * swaps while they bring the counts closer to the targets. A split with a positive weight is never
 * left without a group when there are enough groups.
 */
export function assignGroups(sizes: readonly number[], weights: readonly number[], total: number): number[] {
  const targets = weights.map((w) => w * total);
  const counts = weights.map(() => 0);
  const groupsIn = weights.map(() => 0);
  const owner = new Array<number>(sizes.length).fill(-1);
  const positive = weights.map((w, s) => (w > 0 ? s : -1)).filter((s) => s >= 0);
  const byLargest = sizes.map((_, g) => g).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  for (const g of byLargest) {
    let best = positive[0]!;
    for (const s of positive) {
      const gap = targets[s]! - counts[s]!;
      const bestGap = targets[best]! - counts[best]!;
      if (gap > bestGap || (gap === bestGap && gap / targets[s]! > bestGap / targets[best]!)) best = s;
    }
    owner[g] = best;
    counts[best]! += sizes[g]!;
    groupsIn[best]!++;
  }
  const keepNonEmpty = sizes.length >= positive.length;
  for (const s of positive) {
    if (groupsIn[s]! > 0 || !keepNonEmpty) continue;
    const donor = positive.reduce((a, b) => (groupsIn[b]! > groupsIn[a]! ? b : a));
    const smallest = byLargest.filter((g) => owner[g] === donor).at(-1)!;
    owner[smallest] = s;
    counts[donor]! -= sizes[smallest]!;
    counts[s]! += sizes[smallest]!;
    groupsIn[donor]!--;
    groupsIn[s]!++;
  }
  const cost = (c: readonly number[]) => c.reduce((sum, value, s) => sum + Math.abs(value - targets[s]!), 0);
  const canLeave = (s: number) => !keepNonEmpty || weights[s] === 0 || groupsIn[s]! > 1;
  const trySwaps = sizes.length <= 400;
  for (let pass = 0; pass < 200; pass++) {
    let bestGain = 1e-9;
    let bestMove: (() => void) | undefined;
    const current = cost(counts);
    for (let g = 0; g < sizes.length; g++) {
      const from = owner[g]!;
      for (const to of positive) {
        if (to === from || !canLeave(from)) continue;
        const next = counts.slice();
        next[from]! -= sizes[g]!;
        next[to]! += sizes[g]!;
        const gain = current - cost(next);
        if (gain > bestGain) {
          bestGain = gain;
          bestMove = () => {
            owner[g] = to;
            counts[from] = next[from]!;
            counts[to] = next[to]!;
            groupsIn[from]!--;
            groupsIn[to]!++;
          };
        }
      }
      if (!trySwaps) continue;
      for (let h = g + 1; h < sizes.length; h++) {
        const other = owner[h]!;
        if (other === from || sizes[g] === sizes[h]) continue;
        const next = counts.slice();
        next[from]! += sizes[h]! - sizes[g]!;
        next[other]! += sizes[g]! - sizes[h]!;
        const gain = current - cost(next);
        if (gain > bestGain) {
          bestGain = gain;
          bestMove = () => {
            owner[g] = other;
            owner[h] = from;
            counts[from] = next[from]!;
            counts[other] = next[other]!;
          };
        }
      }
    }
    if (!bestMove) break;
    bestMove();
  }
  return owner;
}
