import { sha256 } from '@omnifuse/core';
import { type ParsedArgs, stringOption, UsageError } from './args.js';

/** One of `count` shards, numbered from 0 (as Kubernetes numbers an Indexed Job's completions). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * `--shard i/N`: shard i of N with 0 ≤ i < N, so `$(JOB_COMPLETION_INDEX)/N` needs no arithmetic;
 * absent: undefined (every record).
 */
export function shardOption(args: ParsedArgs): Shard | undefined {
  const value = stringOption(args, 'shard');
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new UsageError(
      `--shard must be i/N with N ≥ 1 and 0 ≤ i < N (0-based, like JOB_COMPLETION_INDEX), not "${value}"`,
    );
  }
  return { index, count };
}

/**
 * The shard of a record: the first 48 bits of sha256 of its id (as a string, UTF-8) mod `count`.
 * By id rather than by row, so adding, removing or reordering records moves no other record; ids
 * that are row numbers (a manifest without a unique id column) shift when rows are inserted above.
 */
export function shardOfRecord(id: string | number, count: number): number {
  return Number.parseInt(sha256(String(id)).slice(0, 12), 16) % count;
}

/** Indices of the records whose ids fall in `shard`, in their order. */
export function rowsOfShard(ids: readonly (string | number)[], shard: Shard): number[] {
  const rows: number[] = [];
  ids.forEach((id, row) => {
    if (shardOfRecord(id, shard.count) === shard.index) rows.push(row);
  });
  return rows;
}
