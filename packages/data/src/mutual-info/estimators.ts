import { digamma } from './special.js';

/**
 * The three estimators scikit-learn's `mutual_info_*` dispatch to, written to reproduce
 * `sklearn.feature_selection._mutual_info._compute_mi_cc`, `_compute_mi_cd` and
 * `sklearn.metrics.mutual_info_score` exactly on the same inputs (ties included: neighbour radii
 * are the k-th distance moved one ulp towards zero, counts include the point itself). Neighbour
 * search is brute force, O(n²) per feature: fine for the tens of thousands of rows this targets.
 */

/** The largest double below `value` for value > 0 (numpy `nextafter(value, 0)`); 0 stays 0. */
function nextTowardZero(value: number): number {
  if (value <= 0) return 0;
  const buffer = new Float64Array([value]);
  const bits = new BigInt64Array(buffer.buffer);
  bits[0]! -= 1n;
  return buffer[0]!;
}

/** k-th smallest of `values` (k ≥ 1) without sorting all of them. */
function kthSmallest(values: Float64Array, k: number): number {
  const best = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
  for (const value of values) {
    if (value >= best[k - 1]!) continue;
    let i = k - 1;
    while (i > 0 && best[i - 1]! > value) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = value;
  }
  return best[k - 1]!;
}

/**
 * Kraskov–Stögbauer–Grassberger estimate (their first algorithm) of the mutual information, in
 * nats, between two continuous variables; negative estimates become 0.
 */
export function miContinuousContinuous(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  nNeighbors: number,
): number {
  const n = x.length;
  const radius = new Float64Array(n);
  const distances = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      distances[m++] = Math.max(Math.abs(x[i]! - x[j]!), Math.abs(y[i]! - y[j]!));
    }
    radius[i] = nextTowardZero(kthSmallest(distances, nNeighbors));
  }
  let psiX = 0;
  let psiY = 0;
  for (let i = 0; i < n; i++) {
    let nx = 0;
    let ny = 0;
    for (let j = 0; j < n; j++) {
      if (Math.abs(x[i]! - x[j]!) <= radius[i]!) nx++;
      if (Math.abs(y[i]! - y[j]!) <= radius[i]!) ny++;
    }
    // counts include the point itself: digamma(nx - 1 + 1)
    psiX += digamma(nx);
    psiY += digamma(ny);
  }
  const mi = digamma(n) + digamma(nNeighbors) - psiX / n - psiY / n;
  return Math.max(0, mi);
}

/**
 * Ross (2014) estimate of the mutual information, in nats, between a continuous variable `c` and a
 * discrete one `d` (any values compared by identity). Points whose label occurs once are ignored,
 * as in scikit-learn; negative estimates become 0.
 */
export function miContinuousDiscrete(
  c: ArrayLike<number>,
  d: ArrayLike<number | string>,
  nNeighbors: number,
): number {
  const groups = new Map<number | string, number[]>();
  for (let i = 0; i < c.length; i++) {
    const members = groups.get(d[i]!);
    if (members) members.push(i);
    else groups.set(d[i]!, [i]);
  }
  const kept: number[] = [];
  const radius: number[] = [];
  const kAll: number[] = [];
  const labelCounts: number[] = [];
  for (const members of groups.values()) {
    const count = members.length;
    if (count < 2) continue;
    const k = Math.min(nNeighbors, count - 1);
    const distances = new Float64Array(count - 1);
    for (const i of members) {
      let m = 0;
      for (const j of members) if (j !== i) distances[m++] = Math.abs(c[i]! - c[j]!);
      kept.push(i);
      radius.push(nextTowardZero(kthSmallest(distances, k)));
      kAll.push(k);
      labelCounts.push(count);
    }
  }
  const n = kept.length;
  if (n === 0) return 0;
  // Restore the input order so the sums below add in the same order as scikit-learn's means.
  const order = kept.map((_, index) => index).sort((a, b) => kept[a]! - kept[b]!);
  let psiK = 0;
  let psiLabel = 0;
  let psiM = 0;
  for (const a of order) {
    const i = kept[a]!;
    let m = 0;
    for (const j of kept) if (Math.abs(c[i]! - c[j]!) <= radius[a]!) m++;
    psiK += digamma(kAll[a]!);
    psiLabel += digamma(labelCounts[a]!);
    psiM += digamma(m);
  }
  const mi = digamma(n) + psiK / n - psiLabel / n - psiM / n;
  return Math.max(0, mi);
}

/** Mutual information, in nats, of two discrete variables from their contingency table. */
export function miDiscreteDiscrete(x: ArrayLike<number | string>, y: ArrayLike<number | string>): number {
  const n = x.length;
  const xIndex = new Map<number | string, number>();
  const yIndex = new Map<number | string, number>();
  const cells = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (!xIndex.has(x[i]!)) xIndex.set(x[i]!, xIndex.size);
    if (!yIndex.has(y[i]!)) yIndex.set(y[i]!, yIndex.size);
  }
  if (xIndex.size === 1 || yIndex.size === 1) return 0;
  const rowSums = new Float64Array(xIndex.size);
  const columnSums = new Float64Array(yIndex.size);
  for (let i = 0; i < n; i++) {
    const a = xIndex.get(x[i]!)!;
    const b = yIndex.get(y[i]!)!;
    rowSums[a]!++;
    columnSums[b]!++;
    const key = `${a},${b}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  let mi = 0;
  for (const [key, count] of cells) {
    const [a, b] = key.split(',').map(Number) as [number, number];
    const p = count / n;
    const term =
      p * (Math.log(count) - Math.log(n)) +
      p * (Math.log(n) + Math.log(n) - Math.log(rowSums[a]! * columnSums[b]!));
    if (Math.abs(term) >= Number.EPSILON) mi += term;
  }
  return Math.max(0, mi);
}
