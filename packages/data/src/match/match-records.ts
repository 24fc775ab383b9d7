import { z } from 'zod';
import { inputError, parseOptions } from '../errors.js';
import { jaroWinkler, levenshteinSimilarity, normalizeKey } from './similarity.js';

export type DataRecord = Readonly<Record<string, unknown>>;
export type KeySpec = string | readonly string[] | ((record: DataRecord) => string | null | undefined);

const matchOptions = z.strictObject({
  /** A field, several fields (joined by a space), or a function giving the comparison key. */
  key: z.union([
    z.string().min(1),
    z.array(z.string().min(1)).min(1),
    z.custom<(r: DataRecord) => string>((v) => typeof v === 'function'),
  ]),
  method: z.enum(['exact', 'jaro-winkler', 'levenshtein']).default('jaro-winkler'),
  /** Lowest score that counts as a match; defaults: exact 1, jaro-winkler 0.9, levenshtein 0.8. */
  threshold: z.number().min(0).max(1).optional(),
  /** Only records with equal blocking keys are compared (cheaper, and fewer false matches). */
  blocking: z.custom<(r: DataRecord) => string>((v) => typeof v === 'function').optional(),
  /** `normalizeKey` the keys first (default); `false` compares them as given. */
  normalize: z.boolean().default(true),
  stopWords: z.array(z.string()).optional(),
  /** Scores closer than this to the best one are ties: reported as ambiguous, never guessed. */
  epsilon: z.number().nonnegative().default(1e-9),
});
export type MatchOptions = Omit<z.input<typeof matchOptions>, 'key' | 'blocking'> & {
  key: KeySpec;
  blocking?: (record: DataRecord) => string;
};

export interface Match<L, R> {
  readonly left: L;
  readonly right: R;
  readonly leftIndex: number;
  readonly rightIndex: number;
  readonly score: number;
}

export interface MatchResult<L extends DataRecord, R extends DataRecord> {
  /** One-to-one pairs, best score first. */
  readonly matches: Match<L, R>[];
  /** Left records with no candidate at or above the threshold (or no key). */
  readonly unmatchedLeft: L[];
  /** Right records not matched to any left record (including those left free by ambiguity). */
  readonly unmatchedRight: R[];
  /** Left records whose best free candidates tie: not matched, listed with the tied candidates. */
  readonly ambiguous: {
    left: L;
    leftIndex: number;
    candidates: { right: R; rightIndex: number; score: number }[];
  }[];
  /** Right records that several left records tie for: not matched, listed with those left records. */
  readonly ambiguousRight: {
    right: R;
    rightIndex: number;
    candidates: { left: L; leftIndex: number; score: number }[];
  }[];
  readonly report: { comparisons: number; missingKeyLeft: number; missingKeyRight: number };
}

/**
 * Matches records of two sources one-to-one by key similarity. Candidate pairs at or above the
 * threshold are taken best score first; when a record's best free candidates tie (within `epsilon`)
 * it is reported as ambiguous instead of matched to an arbitrary one. Records without a key (null,
 * empty) are never matched and are counted in the report.
 */
export function matchRecords<L extends DataRecord, R extends DataRecord>(
  left: readonly L[],
  right: readonly R[],
  options: MatchOptions,
): MatchResult<L, R> {
  const step = 'matchRecords';
  const o = parseOptions(step, matchOptions, options);
  const threshold = o.threshold ?? { exact: 1, 'jaro-winkler': 0.9, levenshtein: 0.8 }[o.method];
  const keyOf = (record: DataRecord, index: number, side: string): string | undefined => {
    let raw: unknown;
    if (typeof o.key === 'function') raw = o.key(record);
    else if (typeof o.key === 'string') raw = fieldValue(record, o.key, index, side);
    else {
      const parts = o.key
        .map((field) => fieldValue(record, field, index, side))
        .filter((v) => v !== undefined && v !== null);
      raw = parts.length > 0 ? parts.map(String).join(' ') : undefined;
    }
    if (raw === undefined || raw === null) return undefined;
    const text = String(raw);
    const key = o.normalize ? normalizeKey(text, { stopWords: o.stopWords }) : text;
    return key.length > 0 ? key : undefined;
  };
  const leftKeys = left.map((r, i) => keyOf(r, i, 'left'));
  const rightKeys = right.map((r, i) => keyOf(r, i, 'right'));
  const score = (a: string, b: string): number =>
    o.method === 'exact'
      ? a === b
        ? 1
        : 0
      : o.method === 'jaro-winkler'
        ? jaroWinkler(a, b)
        : levenshteinSimilarity(a, b);

  // Candidate pairs, compared only within blocks.
  const blockOf = o.blocking as ((r: DataRecord) => string) | undefined;
  const rightByBlock = new Map<string, number[]>();
  right.forEach((r, j) => {
    if (rightKeys[j] === undefined) return;
    const block = blockOf ? String(blockOf(r)) : '';
    const list = rightByBlock.get(block);
    if (list) list.push(j);
    else rightByBlock.set(block, [j]);
  });
  const pairs: { i: number; j: number; score: number }[] = [];
  let comparisons = 0;
  left.forEach((l, i) => {
    const key = leftKeys[i];
    if (key === undefined) return;
    for (const j of rightByBlock.get(blockOf ? String(blockOf(l)) : '') ?? []) {
      comparisons++;
      const s = score(key, rightKeys[j]!);
      if (s >= threshold) pairs.push({ i, j, score: s });
    }
  });
  pairs.sort((a, b) => b.score - a.score || a.i - b.i || a.j - b.j);
  const byLeft = new Map<number, typeof pairs>();
  const byRight = new Map<number, typeof pairs>();
  for (const pair of pairs) {
    (byLeft.get(pair.i) ?? byLeft.set(pair.i, []).get(pair.i)!).push(pair);
    (byRight.get(pair.j) ?? byRight.set(pair.j, []).get(pair.j)!).push(pair);
  }

  const leftDone = new Set<number>();
  const rightDone = new Set<number>();
  const matches: Match<L, R>[] = [];
  const ambiguous: MatchResult<L, R>['ambiguous'] = [];
  const ambiguousRight: MatchResult<L, R>['ambiguousRight'] = [];
  for (const pair of pairs) {
    if (leftDone.has(pair.i) || rightDone.has(pair.j)) continue;
    const rivalsRight = byLeft
      .get(pair.i)!
      .filter((p) => !rightDone.has(p.j) && pair.score - p.score <= o.epsilon);
    if (rivalsRight.length > 1) {
      leftDone.add(pair.i);
      ambiguous.push({
        left: left[pair.i]!,
        leftIndex: pair.i,
        candidates: rivalsRight.map((p) => ({ right: right[p.j]!, rightIndex: p.j, score: p.score })),
      });
      continue;
    }
    const rivalsLeft = byRight
      .get(pair.j)!
      .filter((p) => !leftDone.has(p.i) && pair.score - p.score <= o.epsilon);
    if (rivalsLeft.length > 1) {
      rightDone.add(pair.j);
      ambiguousRight.push({
        right: right[pair.j]!,
        rightIndex: pair.j,
        candidates: rivalsLeft.map((p) => ({ left: left[p.i]!, leftIndex: p.i, score: p.score })),
      });
      continue;
    }
    leftDone.add(pair.i);
    rightDone.add(pair.j);
    matches.push({
      left: left[pair.i]!,
      right: right[pair.j]!,
      leftIndex: pair.i,
      rightIndex: pair.j,
      score: pair.score,
    });
  }
  const ambiguousRightIndex = new Set(ambiguousRight.map((a) => a.rightIndex));
  const matchedRight = new Set(matches.map((m) => m.rightIndex));
  return {
    matches,
    unmatchedLeft: left.filter((_, i) => !leftDone.has(i)),
    unmatchedRight: right.filter((_, j) => !matchedRight.has(j) && !ambiguousRightIndex.has(j)),
    ambiguous,
    ambiguousRight,
    report: {
      comparisons,
      missingKeyLeft: leftKeys.filter((k) => k === undefined).length,
      missingKeyRight: rightKeys.filter((k) => k === undefined).length,
    },
  };
}

function fieldValue(record: DataRecord, field: string, index: number, side: string): unknown {
  if (typeof record !== 'object' || record === null) {
    throw inputError('matchRecords', `${side} record is not an object`, { record: index });
  }
  return record[field];
}
