import { ErrorCode, OmnifuseError } from '../errors.js';
import { stableStringify } from '../hash.js';
import { createRng, shuffled } from '../rng.js';
import { isMissing } from './missing.js';
import { apportion, assignGroups, ensureEveryPositive } from './split-allocation.js';
import type { DataRecord, Dataset } from './types.js';

export type SplitName = 'train' | 'validation' | 'test';
const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

/** Relative sizes; any non-negative weights (normalised), e.g. `{ train: 0.8, test: 0.2 }` or `{ train: 8, test: 2 }`. */
export interface SplitRatios {
  readonly train: number;
  readonly validation?: number;
  readonly test: number;
}

export type SplitSpec =
  /** Records shuffled with the seed and cut by the ratios. */
  | { readonly type: 'random'; readonly ratios: SplitRatios; readonly seed: number }
  /** Each class of `by` split by the ratios on its own (missing values form one class). */
  | { readonly type: 'stratified'; readonly by: string; readonly ratios: SplitRatios; readonly seed: number }
  /**
   * The split named by a column: `train`/`training`, `validation`/`valid`/`val`/`dev`, `test`/`testing`
   * (any case), or the column's values mapped by `mapping`.
   */
  | {
      readonly type: 'column';
      readonly column: string;
      readonly mapping?: Readonly<Record<string, SplitName>>;
    }
  /** Whole groups (e.g. speakers) assigned to splits so that no group is in two. */
  | {
      readonly type: 'group';
      readonly by: string | ((record: DataRecord, index: number) => string | number);
      readonly ratios: SplitRatios;
      readonly seed: number;
    };

/** Record indices (ascending) of each split, and the subsets as datasets. */
export interface DatasetSplit {
  readonly train: number[];
  readonly validation: number[];
  readonly test: number[];
  readonly datasets: { readonly train: Dataset; readonly validation: Dataset; readonly test: Dataset };
}

/**
 * Splits a dataset into train / validation / test, deterministically for a given seed. Counts are
 * rounded by largest remainder, and every split with a positive ratio gets at least one record
 * (stratified: one of each class; group: one group) whenever there are enough to go round.
 */
export function splitDataset(dataset: Dataset, spec: SplitSpec): DatasetSplit {
  let assignment: number[][];
  switch (spec.type) {
    case 'random': {
      const weights = checkRatios(spec.ratios);
      const order = shuffled(range(dataset.size), createRng(checkSeed(spec.seed)));
      assignment = cut(order, ensureEveryPositive(apportion(dataset.size, weights), weights));
      break;
    }
    case 'stratified':
      assignment = stratifiedSplit(dataset, spec.by, checkRatios(spec.ratios), checkSeed(spec.seed));
      break;
    case 'column':
      assignment = columnSplit(dataset, spec.column, spec.mapping);
      break;
    case 'group':
      assignment = groupSplit(dataset, spec.by, checkRatios(spec.ratios), checkSeed(spec.seed));
      break;
    default:
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: 'unknown split type',
        path: 'type',
        expected: ['random', 'stratified', 'column', 'group'],
        found: (spec as { type?: unknown }).type,
      });
  }
  const [train, validation, test] = assignment.map((indices) => indices.sort((a, b) => a - b)) as [
    number[],
    number[],
    number[],
  ];
  return splitOfIndices(dataset, train, validation, test);
}

/** A split of `dataset` with the given record indices per part (and their datasets). */
export function splitOfIndices(
  dataset: Dataset,
  train: number[],
  validation: number[],
  test: number[],
): DatasetSplit {
  return {
    train,
    validation,
    test,
    datasets: {
      train: dataset.subset(train),
      validation: dataset.subset(validation),
      test: dataset.subset(test),
    },
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function checkRatios(ratios: SplitRatios): number[] {
  if (typeof ratios !== 'object' || ratios === null) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'split ratios are required',
      path: 'ratios',
    });
  }
  const weights = SPLITS.map((name) => {
    const value = ratios[name] ?? (name === 'validation' ? 0 : undefined);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: 'split ratio must be a finite number ≥ 0',
        path: `ratios.${name}`,
        found: value,
      });
    }
    return value;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'split ratios sum to 0',
      path: 'ratios',
    });
  }
  return weights.map((w) => w / total);
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'split seed must be an integer',
      path: 'seed',
      found: seed,
    });
  }
  return seed;
}

function checkField(dataset: Dataset, field: string, path: string): void {
  if (typeof field !== 'string' || !dataset.fields.includes(field)) {
    throw new OmnifuseError({
      code: ErrorCode.MissingField,
      message: 'split field is in no record',
      field: String(field),
      file: dataset.source,
      path,
      expected: dataset.fields,
    });
  }
}

function cut(order: readonly number[], counts: readonly number[]): number[][] {
  let start = 0;
  return counts.map((count) => {
    const part = order.slice(start, start + count);
    start += count;
    return part;
  });
}

function labelKey(value: unknown): string {
  if (isMissing(value)) return '\u0000missing';
  return typeof value === 'string' ? value : stableStringify(value);
}

function stratifiedSplit(dataset: Dataset, by: string, weights: number[], seed: number): number[][] {
  checkField(dataset, by, 'by');
  const classes = new Map<string, number[]>();
  dataset.records.forEach((record, index) => {
    const key = labelKey(record[by]);
    const members = classes.get(key);
    if (members) members.push(index);
    else classes.set(key, [index]);
  });
  const rng = createRng(seed);
  const out: number[][] = SPLITS.map(() => []);
  const debt = weights.map(() => 0);
  for (const key of [...classes.keys()].sort()) {
    const members = classes.get(key)!;
    const counts = ensureEveryPositive(apportion(members.length, weights, debt), weights);
    counts.forEach((count, s) => {
      debt[s]! += members.length * weights[s]! - count;
    });
    cut(shuffled(members, rng.fork(`class:${key}`)), counts).forEach((part, s) => {
      out[s]!.push(...part);
    });
  }
  return out;
}

function columnSplit(
  dataset: Dataset,
  column: string,
  mapping: Readonly<Record<string, SplitName>> | undefined,
): number[][] {
  checkField(dataset, column, 'column');
  for (const [value, split] of Object.entries(mapping ?? {})) {
    if (!SPLITS.includes(split)) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: 'split mapping must name train, validation or test',
        path: `mapping.${value}`,
        expected: SPLITS,
        found: split,
      });
    }
  }
  const aliases: Record<string, SplitName> = {
    train: 'train',
    training: 'train',
    validation: 'validation',
    valid: 'validation',
    val: 'validation',
    dev: 'validation',
    test: 'test',
    testing: 'test',
  };
  const out: number[][] = SPLITS.map(() => []);
  dataset.records.forEach((record, index) => {
    const value = record[column];
    const text = isMissing(value) ? '' : String(value).trim();
    const split = mapping ? mapping[text] : aliases[text.toLowerCase()];
    if (split === undefined) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: mapping ? 'split column value is not in the mapping' : 'split column value names no split',
        record: dataset.ids[index],
        field: column,
        file: dataset.source,
        expected: mapping ? Object.keys(mapping) : Object.keys(aliases),
        found: value ?? null,
      });
    }
    out[SPLITS.indexOf(split)]!.push(index);
  });
  return out;
}

function groupSplit(
  dataset: Dataset,
  by: string | ((record: DataRecord, index: number) => string | number),
  weights: number[],
  seed: number,
): number[][] {
  if (typeof by === 'string') checkField(dataset, by, 'by');
  const field = typeof by === 'string' ? by : undefined;
  const groups = new Map<string, number[]>();
  dataset.records.forEach((record, index) => {
    const value = typeof by === 'function' ? by(record, index) : record[by];
    if (isMissing(value) || (typeof value !== 'string' && typeof value !== 'number')) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: 'every record needs a group (a string or number) for a group split',
        record: dataset.ids[index],
        field,
        file: dataset.source,
        found: value ?? null,
      });
    }
    const key = String(value);
    const members = groups.get(key);
    if (members) members.push(index);
    else groups.set(key, [index]);
  });
  const order = shuffled([...groups.keys()].sort(), createRng(seed));
  const sizes = order.map((key) => groups.get(key)!.length);
  const owner = assignGroups(sizes, weights, dataset.size);
  const out: number[][] = SPLITS.map(() => []);
  order.forEach((key, g) => {
    out[owner[g]!]!.push(...groups.get(key)!);
  });
  return out;
}
