/**
 * numpy's default `argsort` (`kind='quicksort'`: introsort, not stable) on float64, ported from
 * numpy 1.24's `npysort/quicksort.cpp` (`aquicksort_`, `aheapsort_`), so that ties come out in
 * numpy's order. scikit-learn's `max_features` keeps `(-tfs).argsort()[:limit]`, and which of
 * several equally frequent terms survive the cut depends on exactly this order. (numpy ≥ 1.25 on
 * AVX-512 machines dispatches to x86-simd-sort, whose tie order differs.)
 */
export function numpyArgsort(values: Float64Array): Int32Array {
  const n = values.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  const v = values;
  const stack: number[] = [];
  const depths: number[] = [];
  let pl = 0;
  let pr = n - 1;
  let cdepth = mostSignificantBit(n) * 2;
  let tmp: number;
  for (;;) {
    if (cdepth < 0) {
      heapsort(v, order, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (v[order[pm]!]! < v[order[pl]!]!) swap(order, pm, pl);
        if (v[order[pr]!]! < v[order[pm]!]!) swap(order, pr, pm);
        if (v[order[pm]!]! < v[order[pl]!]!) swap(order, pm, pl);
        const vp = v[order[pm]!]!;
        let pi = pl;
        let pj = pr - 1;
        swap(order, pm, pj);
        for (;;) {
          do ++pi;
          while (v[order[pi]!]! < vp);
          do --pj;
          while (vp < v[order[pj]!]!);
          if (pi >= pj) break;
          swap(order, pi, pj);
        }
        swap(order, pi, pr - 1);
        // Push the larger partition, go on with the smaller.
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = order[pi]!;
        const value = v[vi]!;
        let pj = pi;
        while (pj > pl && value < v[order[pj - 1]!]!) {
          order[pj] = order[pj - 1]!;
          pj--;
        }
        order[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depths.pop()!;
  }
  return order;

  function swap(a: Int32Array, i: number, j: number): void {
    tmp = a[i]!;
    a[i] = a[j]!;
    a[j] = tmp;
  }
}

// numpy's npysort_common.h: partitions of at most 16 elements go to insertion sort.
const SMALL_QUICKSORT = 15;

function mostSignificantBit(n: number): number {
  let depth = 0;
  for (let u = n >>> 1; u > 0; u >>>= 1) depth++;
  return depth;
}

/** numpy's `aheapsort_` on `order[start .. start + n)` (1-based heap over that slice). */
function heapsort(v: Float64Array, order: Int32Array, start: number, n: number): void {
  const at = (k: number) => start + k - 1;
  let i: number;
  let j: number;
  let tmp: number;
  for (let l = n >> 1; l > 0; --l) {
    tmp = order[at(l)]!;
    for (i = l, j = l << 1; j <= n; ) {
      if (j < n && v[order[at(j)]!]! < v[order[at(j + 1)]!]!) j += 1;
      if (v[tmp]! < v[order[at(j)]!]!) {
        order[at(i)] = order[at(j)]!;
        i = j;
        j += j;
      } else break;
    }
    order[at(i)] = tmp;
  }
  for (; n > 1; ) {
    tmp = order[at(n)]!;
    order[at(n)] = order[at(1)]!;
    n -= 1;
    for (i = 1, j = 2; j <= n; ) {
      if (j < n && v[order[at(j)]!]! < v[order[at(j + 1)]!]!) j++;
      if (v[tmp]! < v[order[at(j)]!]!) {
        order[at(i)] = order[at(j)]!;
        i = j;
        j += j;
      } else break;
    }
    order[at(i)] = tmp;
  }
}
