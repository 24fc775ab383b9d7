import type { DataRecord } from './types.js';

/** Where a dataset's records come from: an array in memory, or a manifest file read on demand. */
export interface RecordSource {
  readonly size: number;
  /** Record `index` (0 ≤ index < size), with its field types applied. */
  get(index: number): DataRecord;
  /** The records, when they are held in memory (`get` then returns the same object every time). */
  readonly array?: readonly DataRecord[];
}

export function memorySource(records: readonly DataRecord[]): RecordSource {
  return { size: records.length, get: (index) => records[index]!, array: records };
}

/** The records at `indices` of `parent`, in that order (a split); on disk, 4 bytes a record. */
export function subsetSource(parent: RecordSource, indices: readonly number[]): RecordSource {
  if (parent.array) return memorySource(indices.map((i) => parent.array![i]!));
  const rows = Uint32Array.from(indices);
  return { size: rows.length, get: (index) => parent.get(rows[index]!) };
}

/**
 * A read-only array over a source that is not in memory: `records[i]`, `length`, iteration and the
 * array methods (`map`, `forEach`, `filter`, `slice`, …) read records on demand, so code written
 * for `readonly DataRecord[]` works unchanged while the manifest stays on disk. Writes throw.
 */
export function recordsView(source: RecordSource): readonly DataRecord[] {
  const target: DataRecord[] = [];
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string') {
        const index = arrayIndex(key);
        if (index !== undefined) return index < source.size ? source.get(index) : undefined;
        if (key === 'length') return source.size;
      }
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      const index = typeof key === 'string' ? arrayIndex(key) : undefined;
      return index !== undefined ? index < source.size : Reflect.has(t, key);
    },
    ownKeys() {
      const keys: string[] = [];
      for (let i = 0; i < source.size; i++) keys.push(String(i));
      keys.push('length');
      return keys;
    },
    getOwnPropertyDescriptor(t, key) {
      const index = typeof key === 'string' ? arrayIndex(key) : undefined;
      if (index !== undefined) {
        return index < source.size
          ? { value: source.get(index), writable: false, enumerable: true, configurable: true }
          : undefined;
      }
      if (key === 'length')
        return { value: source.size, writable: true, enumerable: false, configurable: false };
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

/** The array index a property key spells ("0", "17"; not "01" or "1.5"), else undefined. */
function arrayIndex(key: string): number | undefined {
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57 || (first === 48 && key.length > 1)) return undefined;
  const index = Number(key);
  return Number.isInteger(index) ? index : undefined;
}
