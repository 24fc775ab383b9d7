import { createRng, hashSeed } from '@omnifuse/core';
import { z } from 'zod';
import { checkFields, type DataRecord, parseOptions, type RecordId, recordIds } from './records.js';

const STEP = 'near-duplicate-text';

const optionsSchema = z
  .object({
    /** Minimum Jaccard similarity of character-shingle sets for a pair to count. */
    threshold: z.number().gt(0).max(1).default(0.9),
    /** Shingle length in characters. */
    shingle: z.number().int().min(1).default(3),
    /** MinHash signature length; LSH bands are chosen from it so a pair at `threshold` is found with p ≥ 0.995. */
    numHashes: z.number().int().min(8).max(1024).default(128),
    seed: z.number().int().default(0),
    idField: z.string().default('id'),
  })
  .strict();

export type NearDuplicateOptions = z.input<typeof optionsSchema>;

export interface NearDuplicatePair {
  /** Positions, `a < b`. */
  readonly a: number;
  readonly b: number;
  readonly ids: [RecordId, RecordId];
  /** Exact Jaccard similarity of the two shingle sets. */
  readonly similarity: number;
}

export interface NearDuplicateResult {
  /** Every candidate pair whose exact similarity reached the threshold. */
  readonly pairs: NearDuplicatePair[];
  /**
   * Greedy in record order: a record is a duplicate of the most similar earlier record that is itself
   * kept; `duplicates` lists the records to drop, each with the one it duplicates.
   */
  readonly duplicates: { index: number; id: RecordId; of: number; ofId: RecordId; similarity: number }[];
  /** Records without text in the field (missing or not a string): never compared. */
  readonly skipped: number;
}

/**
 * Near-duplicate texts: character-shingle Jaccard similarity, with MinHash signatures and LSH banding
 * to find candidate pairs quickly, then an exact Jaccard check of each candidate. Text is lower-cased
 * and whitespace collapsed first. Deterministic for a seed.
 */
export function findNearDuplicateText(
  records: readonly DataRecord[],
  field: string,
  options: NearDuplicateOptions = {},
): NearDuplicateResult {
  const parsed = parseOptions(STEP, optionsSchema, options);
  return nearDuplicates(records, field, parsed, recordIds(records, parsed.idField));
}

export function nearDuplicates(
  records: readonly DataRecord[],
  field: string,
  options: z.output<typeof optionsSchema>,
  ids: readonly RecordId[],
): NearDuplicateResult {
  checkFields(STEP, records, [field]);
  const { threshold, shingle, numHashes, seed } = options;
  const sets: (Set<string> | undefined)[] = records.map((record) => {
    const value = record[field];
    if (typeof value !== 'string') return undefined;
    const text = value.toLowerCase().replace(/\s+/g, ' ').trim();
    if (text === '') return undefined;
    const set = new Set<string>();
    if (text.length <= shingle) set.add(text);
    for (let i = 0; i + shingle <= text.length; i++) set.add(text.slice(i, i + shingle));
    return set;
  });
  const rng = createRng(seed);
  const salts = Array.from({ length: numHashes }, () => Math.floor(rng.next() * 4294967296) >>> 0);
  const { bands, rows } = chooseBands(threshold, numHashes);
  const buckets = new Map<string, number[]>();
  sets.forEach((set, index) => {
    if (!set) return;
    const signature = new Uint32Array(numHashes).fill(0xffffffff);
    for (const item of set) {
      const base = hashSeed(item);
      for (let h = 0; h < numHashes; h++) {
        const value = mix32(base ^ salts[h]!);
        if (value < signature[h]!) signature[h] = value;
      }
    }
    for (let band = 0; band < bands; band++) {
      const key = `${band}:${signature.subarray(band * rows, (band + 1) * rows).join(',')}`;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(index);
      else buckets.set(key, [index]);
    }
  });
  const candidates = new Set<number>();
  const n = records.length;
  for (const bucket of buckets.values()) {
    for (let i = 0; i < bucket.length; i++)
      for (let j = i + 1; j < bucket.length; j++) candidates.add(bucket[i]! * n + bucket[j]!);
  }
  const pairs: NearDuplicatePair[] = [];
  for (const code of [...candidates].sort((x, y) => x - y)) {
    const a = Math.floor(code / n);
    const b = code % n;
    const similarity = jaccard(sets[a]!, sets[b]!);
    if (similarity >= threshold) pairs.push({ a, b, ids: [ids[a]!, ids[b]!], similarity });
  }
  const removed = new Set<number>();
  const duplicates: NearDuplicateResult['duplicates'] = [];
  const byLater = new Map<number, NearDuplicatePair[]>();
  for (const pair of pairs) byLater.set(pair.b, [...(byLater.get(pair.b) ?? []), pair]);
  for (const [b, partners] of [...byLater].sort((x, y) => x[0] - y[0])) {
    const best = partners
      .filter((pair) => !removed.has(pair.a))
      .sort((x, y) => y.similarity - x.similarity || x.a - y.a)[0];
    if (!best) continue;
    removed.add(b);
    duplicates.push({ index: b, id: ids[b]!, of: best.a, ofId: ids[best.a]!, similarity: best.similarity });
  }
  return { pairs, duplicates, skipped: sets.filter((set) => !set).length };
}

/** Jaccard similarity |A ∩ B| / |A ∪ B|. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * LSH banding: the most rows per band (fewest false candidates) for which a pair with Jaccard equal
 * to `threshold` still shares a band with probability ≥ 0.995.
 */
export function chooseBands(threshold: number, numHashes: number): { bands: number; rows: number } {
  for (let rows = numHashes; rows >= 1; rows--) {
    const bands = Math.floor(numHashes / rows);
    if (1 - (1 - threshold ** rows) ** bands >= 0.995) return { bands, rows };
  }
  return { bands: numHashes, rows: 1 };
}

/** murmur3's 32-bit finaliser: a well-mixed hash of a salted shingle hash. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export { optionsSchema as nearDuplicateOptionsSchema };
