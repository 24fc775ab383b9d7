import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.js';
import { createDataset, loadManifest } from './dataset.js';
import { type DatasetSplit, type SplitSpec, splitDataset } from './split.js';
import { apportion, assignGroups } from './split-allocation.js';
import type { Dataset } from './types.js';

const FSDD = sharedDataPath('fsdd', 'recordings');
const SENTIMENT = sharedDataPath('sentiment');

/** The invariants every split must keep. */
function expectPartition(dataset: Dataset, split: DatasetSplit): void {
  const all = [...split.train, ...split.validation, ...split.test];
  expect(new Set(all).size).toBe(all.length);
  expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: dataset.size }, (_, i) => i));
  expect(split.datasets.train.size).toBe(split.train.length);
  expect(split.datasets.test.ids).toEqual(split.test.map((i) => dataset.ids[i]));
}

function expectSeeded(dataset: Dataset, spec: Exclude<SplitSpec, { type: 'column' }>): void {
  const a = splitDataset(dataset, spec);
  expectPartition(dataset, a);
  const again = splitDataset(dataset, { ...spec });
  expect([again.train, again.validation, again.test]).toEqual([a.train, a.validation, a.test]);
  const other = splitDataset(dataset, { ...spec, seed: spec.seed + 1 });
  expectPartition(dataset, other);
  expect(other.test).not.toEqual(a.test);
}

const labelled = createDataset(
  Array.from({ length: 103 }, (_, i) => ({
    id: `r${i}`,
    label: ['a', 'b', 'c'][i % 3]!,
    speaker: `s${i % 13}`,
  })),
);

describe('apportion', () => {
  it('rounds by largest remainder and sums to n', () => {
    expect(apportion(10, [0.7, 0.1, 0.2])).toEqual([7, 1, 2]);
    expect(apportion(7, [0.5, 0, 0.5])).toEqual([4, 0, 3]);
    expect(apportion(3, [1 / 3, 1 / 3, 1 / 3])).toEqual([1, 1, 1]);
    expect(apportion(5, [0.6, 0.2, 0.2]).reduce((a, b) => a + b)).toBe(5);
  });
});

describe('splitDataset: random', () => {
  it('cuts by the ratios, deterministically per seed', () => {
    const split = splitDataset(labelled, {
      type: 'random',
      ratios: { train: 0.7, validation: 0.1, test: 0.2 },
      seed: 1,
    });
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([72, 10, 21]);
    expectSeeded(labelled, { type: 'random', ratios: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 1 });
    expectSeeded(labelled, { type: 'random', ratios: { train: 8, test: 2 }, seed: 99 });
  });

  it('gives a tiny positive split at least one record', () => {
    const small = createDataset(Array.from({ length: 10 }, (_, i) => ({ i })));
    const split = splitDataset(small, {
      type: 'random',
      ratios: { train: 0.98, validation: 0.01, test: 0.01 },
      seed: 3,
    });
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([8, 1, 1]);
  });

  it('refuses bad ratios and seeds', () => {
    expect(() => splitDataset(labelled, { type: 'random', ratios: { train: -1, test: 1 }, seed: 1 })).toThrow(
      /ratios.train/,
    );
    expect(() => splitDataset(labelled, { type: 'random', ratios: { train: 0, test: 0 }, seed: 1 })).toThrow(
      /sum to 0/,
    );
    expect(() =>
      splitDataset(labelled, { type: 'random', ratios: { train: 1, test: 1 }, seed: 0.5 }),
    ).toThrow(/seed/);
  });
});

describe('splitDataset: stratified', () => {
  it('splits each class by the ratios', () => {
    const spec = {
      type: 'stratified',
      by: 'label',
      ratios: { train: 0.6, validation: 0.2, test: 0.2 },
      seed: 5,
    } as const;
    expectSeeded(labelled, spec);
    const split = splitDataset(labelled, spec);
    for (const label of ['a', 'b', 'c']) {
      const size = labelled.records.filter((r) => r.label === label).length;
      (['train', 'validation', 'test'] as const).forEach((name, s) => {
        const count = split[name].filter((i) => labelled.records[i]!.label === label).length;
        expect(Math.abs(count - size * [0.6, 0.2, 0.2][s]!)).toBeLessThan(1);
      });
    }
    // Rounding debt is carried across classes, so totals stay within one of the exact share.
    expect(Math.abs(split.validation.length - 103 * 0.2)).toBeLessThan(1);
  });

  it('puts every class with at least three records in all three splits', () => {
    const records = [
      ...Array.from({ length: 40 }, () => ({ label: 'big' })),
      ...Array.from({ length: 3 }, () => ({ label: 'tiny' })),
      { label: 'single' },
    ];
    const dataset = createDataset(records);
    const split = splitDataset(dataset, {
      type: 'stratified',
      by: 'label',
      ratios: { train: 0.8, validation: 0.1, test: 0.1 },
      seed: 2,
    });
    expectPartition(dataset, split);
    for (const name of ['train', 'validation', 'test'] as const) {
      expect(split[name].filter((i) => records[i]!.label === 'tiny')).toHaveLength(1);
    }
  });

  it('names a field that does not exist', () => {
    let code: unknown;
    try {
      splitDataset(labelled, { type: 'stratified', by: 'nope', ratios: { train: 1, test: 1 }, seed: 1 });
    } catch (error) {
      code = (error as { code?: unknown }).code;
    }
    expect(code).toBe(ErrorCode.MissingField);
  });
});

describe('splitDataset: column', () => {
  it('reads split names and mappings, and names unknown values', () => {
    const dataset = createDataset([{ s: 'train' }, { s: 'VAL' }, { s: 'Test' }, { s: 'training' }]);
    const split = splitDataset(dataset, { type: 'column', column: 's' });
    expect([split.train, split.validation, split.test]).toEqual([[0, 3], [1], [2]]);
    const folds = createDataset([
      { id: 'x', f: 0 },
      { id: 'y', f: 1 },
      { id: 'z', f: 2 },
    ]);
    const mapped = splitDataset(folds, {
      type: 'column',
      column: 'f',
      mapping: { '0': 'test', '1': 'train', '2': 'train' },
    });
    expect([mapped.train, mapped.validation, mapped.test]).toEqual([[1, 2], [], [0]]);
    expectPartition(folds, mapped);
    expect(() => splitDataset(folds, { type: 'column', column: 'f', mapping: { '0': 'test' } })).toThrow(
      /record "y"/,
    );
    expect(() => splitDataset(dataset, { type: 'column', column: 'nope' })).toThrow(/split field/);
  });
});

describe('splitDataset: group', () => {
  it('keeps every group in one split, near the ratios', () => {
    const spec = {
      type: 'group',
      by: 'speaker',
      ratios: { train: 0.6, validation: 0.2, test: 0.2 },
      seed: 7,
    } as const;
    expectSeeded(labelled, spec);
    const split = splitDataset(labelled, spec);
    const speakers = (indices: number[]) => new Set(indices.map((i) => labelled.records[i]!.speaker));
    const [tr, va, te] = [speakers(split.train), speakers(split.validation), speakers(split.test)];
    for (const s of tr) expect(va.has(s) || te.has(s)).toBe(false);
    for (const s of va) expect(te.has(s)).toBe(false);
    expect(Math.abs(split.test.length - 103 * 0.2)).toBeLessThanOrEqual(8);
  });

  it('finds an exact fit where greedy assignment alone misses it', () => {
    const owner = assignGroups([6, 5, 4, 3, 2], [0.5, 0, 0.5], 20);
    const totals = [0, 0, 0];
    owner.forEach((s, g) => {
      totals[s]! += [6, 5, 4, 3, 2][g]!;
    });
    expect(totals).toEqual([10, 0, 10]);
  });

  it('refuses a record without a group', () => {
    const dataset = createDataset([
      { id: 'p', g: 'a' },
      { id: 'q', g: null },
    ]);
    expect(() =>
      splitDataset(dataset, { type: 'group', by: 'g', ratios: { train: 1, test: 1 }, seed: 1 }),
    ).toThrow(/record "q", field "g"/);
  });
});

describeWithData(['fsdd', 'recordings'], 'group split on FSDD file names', () => {
  const files = readdirSync(FSDD).filter((f) => f.endsWith('.wav'));
  const dataset = createDataset(
    files.map((audio) => ({ audio, digit: audio.split('_')[0] })),
    { root: FSDD },
  );
  const speakerOf = (record: Record<string, unknown>) => String(record.audio).split('_')[1]!;

  it('never puts one speaker in two splits', () => {
    expect(dataset.size).toBe(2500);
    expect(dataset.fieldTypes.audio).toBe('audio');
    const spec = {
      type: 'group',
      by: speakerOf,
      ratios: { train: 0.6, validation: 0.2, test: 0.2 },
      seed: 11,
    } as const;
    expectSeeded(dataset, spec);
    const split = splitDataset(dataset, spec);
    const speakers = (name: 'train' | 'validation' | 'test') =>
      [...new Set(split[name].map((i) => speakerOf(dataset.records[i]!)))].sort();
    // 5 speakers × 500 clips: 3 / 1 / 1 speakers is the exact fit.
    expect([speakers('train').length, speakers('validation').length, speakers('test').length]).toEqual([
      3, 1, 1,
    ]);
    expect(split.test.length).toBe(500);
    const all = [...speakers('train'), ...speakers('validation'), ...speakers('test')];
    expect(new Set(all).size).toBe(5);
  });
});

describeWithData('sentiment', 'stratified split on the sentiment sentences', () => {
  it('keeps the class balance in each split', async () => {
    const dataset = await loadManifest(path.join(SENTIMENT, 'yelp_labelled.txt'), { format: 'tsv' });
    const spec = {
      type: 'stratified',
      by: 'score',
      ratios: { train: 0.7, validation: 0.15, test: 0.15 },
      seed: 3,
    } as const;
    expectSeeded(dataset, spec);
    const split = splitDataset(dataset, spec);
    for (const name of ['train', 'validation', 'test'] as const) {
      const positives = split[name].filter((i) => dataset.records[i]!.score === 1).length;
      const negatives = split[name].length - positives;
      expect(Math.abs(positives - negatives)).toBeLessThanOrEqual(1);
    }
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([700, 150, 150]);
  });
});
