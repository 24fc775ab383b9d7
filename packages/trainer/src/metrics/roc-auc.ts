/**
 * Area under the ROC curve, as `sklearn.metrics.roc_auc_score` computes it: tied scores form one
 * step of the curve (the trapezoid across them), which equals the Mann–Whitney statistic with
 * average ranks. Undefined (NaN) when the targets hold only one of the two classes, where sklearn
 * raises.
 */
export function binaryRocAuc(positive: ArrayLike<boolean | number>, scores: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) if (positive[i]) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  // Integer true/false positive counts at each distinct threshold; twice the area, in counts².
  let tp = 0;
  let fp = 0;
  let area = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    const [tpBefore, fpBefore] = [tp, fp];
    while (end < n && scores[order[end]!] === scores[order[start]!]) {
      if (positive[order[end]!]) tp++;
      else fp++;
      end++;
    }
    area += (fp - fpBefore) * (tp + tpBefore);
    start = end;
  }
  return area / (2 * positives * negatives);
}

export interface OneVsRestRocAuc {
  /** Each class against the rest; NaN for a class absent from (or alone in) the targets. */
  readonly perClass: number[];
  /** Mean over classes; NaN when any class's AUC is undefined, where sklearn raises. */
  readonly macro: number;
  /** Mean weighted by class support; NaN likewise. */
  readonly weighted: number;
}

/**
 * One-vs-rest ROC-AUC of a `[n, classes]` score matrix, as
 * `roc_auc_score(targets, scores, multi_class="ovr", labels=range(classes))` with `average` macro
 * and weighted.
 */
export function oneVsRestRocAuc(
  targets: ArrayLike<number>,
  scores: ArrayLike<number>,
  classes: number,
): OneVsRestRocAuc {
  const n = targets.length;
  const perClass: number[] = [];
  const support: number[] = [];
  for (let k = 0; k < classes; k++) {
    const positive = new Uint8Array(n);
    const column = new Float64Array(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      positive[i] = targets[i] === k ? 1 : 0;
      count += positive[i]!;
      column[i] = scores[i * classes + k]!;
    }
    perClass.push(binaryRocAuc(positive, column));
    support.push(count);
  }
  const undefinedSomewhere = perClass.some(Number.isNaN) || classes === 0;
  const macro = undefinedSomewhere ? Number.NaN : perClass.reduce((a, b) => a + b, 0) / classes;
  const weighted = undefinedSomewhere
    ? Number.NaN
    : perClass.reduce((a, auc, k) => a + auc * support[k]!, 0) / support.reduce((a, b) => a + b, 0);
  return { perClass, macro, weighted };
}
