import type { TfidfOptions } from './options.js';

/** One document's TF-IDF row: the non-zero columns in increasing order and their weights. */
export interface SparseRow {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/**
 * Accumulates one document's column counts, then weighs them as sklearn's `TfidfTransformer`:
 * tf (1 when `binary`, 1 + ln tf when `sublinearTf`) × idf, divided by the row's L2 or L1 norm
 * (a zero row stays zero), in float64. Its scratch is reused from one document to the next.
 */
export interface RowWeigher {
  add(column: number): void;
  sparse(): SparseRow;
  dense(): Float32Array;
}

export function createRowWeigher(
  options: Pick<TfidfOptions, 'binary' | 'sublinearTf' | 'norm'>,
  idf: Float64Array | null,
  size: number,
): RowWeigher {
  const { binary, sublinearTf, norm } = options;
  const counts = new Float64Array(size);
  let touched = new Int32Array(64);
  let k = 0;

  /** Sorts the touched columns and turns their counts into weights; returns the scale to divide by. */
  const weigh = (): number => {
    touched.subarray(0, k).sort();
    let total = 0;
    for (let s = 0; s < k; s++) {
      const column = touched[s]!;
      let tf = binary ? 1 : counts[column]!;
      if (sublinearTf) tf = Math.log(tf) + 1;
      const value = idf ? tf * idf[column]! : tf;
      counts[column] = value;
      total += norm === 'l2' ? value * value : Math.abs(value);
    }
    if (norm === null || total === 0) return 1;
    return norm === 'l2' ? Math.sqrt(total) : total;
  };

  return {
    add(column) {
      if (counts[column] === 0) {
        if (k === touched.length) {
          const grown = new Int32Array(k * 2);
          grown.set(touched);
          touched = grown;
        }
        touched[k++] = column;
      }
      counts[column]!++;
    },
    sparse() {
      const scale = weigh();
      const indices = touched.slice(0, k);
      const values = new Float32Array(k);
      for (let s = 0; s < k; s++) {
        const column = touched[s]!;
        values[s] = counts[column]! / scale;
        counts[column] = 0;
      }
      k = 0;
      return { indices, values };
    },
    dense() {
      const scale = weigh();
      const row = new Float32Array(size);
      for (let s = 0; s < k; s++) {
        const column = touched[s]!;
        row[column] = counts[column]! / scale;
        counts[column] = 0;
      }
      k = 0;
      return row;
    },
  };
}
