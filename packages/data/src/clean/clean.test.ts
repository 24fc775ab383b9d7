import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { thrown } from '../thrown.test-utils.js';
import {
  applyMissing,
  checkMedia,
  cleanRecords,
  findDuplicates,
  findNearDuplicateText,
  fitMissing,
  handleMissing,
  renderCleaningReport,
} from './index.js';
import { chooseBands } from './near-duplicates.js';

async function rejected(run: () => unknown): Promise<OmnifuseError> {
  try {
    await run();
  } catch (error) {
    if (OmnifuseError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('did not throw');
}

let root: string;
let outside: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'omnifuse-clean-'));
  outside = mkdtempSync(path.join(tmpdir(), 'omnifuse-outside-'));
  mkdirSync(path.join(root, 'img'));
  writeFileSync(path.join(root, 'img/a.png'), 'PNG-bytes-one');
  writeFileSync(path.join(root, 'img/a-copy.png'), 'PNG-bytes-one');
  writeFileSync(path.join(root, 'img/b.png'), 'PNG-bytes-two');
  writeFileSync(path.join(root, 'img/broken.png'), 'not an image');
  writeFileSync(path.join(outside, 'secret.png'), 'PNG-bytes-one');
  symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'img/link.png'));
});

describe('findDuplicates', () => {
  it('hashes media by their bytes: the same image under another name is a duplicate', async () => {
    const records = [
      { id: 'a', image: 'img/a.png', label: 1 },
      { id: 'b', image: 'img/b.png', label: 1 },
      { id: 'c', image: 'img/a-copy.png', label: 1 },
      { id: 'd', image: 'img/a.png', label: 2 },
    ];
    const groups = await findDuplicates(records, { root, mediaFields: ['image'] });
    expect(groups.map((g) => g.ids)).toEqual([['a', 'c']]);
    expect(groups[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    // By path (not media), a and a-copy differ.
    expect(await findDuplicates(records)).toEqual([]);
    expect((await findDuplicates(records, { fields: ['label'] })).map((g) => g.indices)).toEqual([[0, 1, 2]]);
  });

  it('compares key order independently and treats blank and null alike; ids fall back to positions', async () => {
    const records = [
      { x: 1, y: 'u', z: null },
      { y: 'u', x: 1, z: '  ' },
      { x: 1, y: 'U' },
    ];
    expect((await findDuplicates(records)).map((g) => g.ids)).toEqual([[0, 1]]);
  });

  it('refuses paths escaping the root (.. and symlinks), unknown fields and media without a root', async () => {
    const escaping = await rejected(() =>
      findDuplicates([{ image: '../x.png' }, { image: 'img/a.png' }], { root, mediaFields: ['image'] }),
    );
    expect([escaping.code, escaping.field, escaping.record]).toEqual([ErrorCode.PathOutsideRoot, 'image', 0]);
    const link = await rejected(() =>
      findDuplicates([{ image: 'img/link.png' }], { root, mediaFields: ['image'] }),
    );
    expect(link.code).toBe(ErrorCode.PathOutsideRoot);
    const unknown = await rejected(() => findDuplicates([{ a: 1 }], { fields: ['b'] }));
    expect([unknown.code, unknown.field]).toEqual([ErrorCode.MissingField, 'b']);
    expect((await rejected(() => findDuplicates([{ a: 'x' }], { mediaFields: ['a'] }))).code).toBe(
      ErrorCode.InvalidOptions,
    );
    const unreadable = await rejected(() =>
      findDuplicates([{ id: 'q', image: 'img/none.png' }], { root, mediaFields: ['image'] }),
    );
    expect([unreadable.code, unreadable.record]).toEqual([ErrorCode.InvalidInput, 'q']);
  });
});

describe('findNearDuplicateText', () => {
  const base = 'The quick brown fox jumps over the lazy dog near the river bank at dawn';
  const records = [
    { id: 1, text: base },
    { id: 2, text: 'A completely different sentence about neural networks and data fusion' },
    { id: 3, text: `${base.toUpperCase()}  ` },
    { id: 4, text: base.replace('dawn', 'dusk') },
    { id: 5, text: null },
    { id: 6, text: 'short' },
  ];

  it('finds near-duplicates by exact shingle Jaccard after LSH, keeping the first of each', () => {
    const result = findNearDuplicateText(records, 'text', { threshold: 0.85 });
    expect(result.pairs.map((p) => p.ids)).toEqual([
      [1, 3],
      [1, 4],
      [3, 4],
    ]);
    expect(result.pairs[0]!.similarity).toBe(1);
    expect(result.pairs[1]!.similarity).toBeGreaterThan(0.85);
    expect(result.pairs[1]!.similarity).toBeLessThan(1);
    expect(result.duplicates.map((d) => [d.id, d.ofId])).toEqual([
      [3, 1],
      [4, 1],
    ]);
    expect(result.skipped).toBe(1);
    expect(findNearDuplicateText(records, 'text', { threshold: 0.99 }).duplicates.map((d) => d.id)).toEqual([
      3,
    ]);
  });

  it('is deterministic for a seed and finds every pair above the threshold on a larger corpus', () => {
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi'.split(
      ' ',
    );
    const docs = Array.from({ length: 200 }, (_, i) => ({
      text: Array.from({ length: 30 }, (_, j) => words[(i * 7 + j * j + i * j) % words.length]).join(' '),
    }));
    for (let i = 0; i < 20; i++) docs.push({ text: `${docs[i * 3]!.text} x` });
    const a = findNearDuplicateText(docs, 'text', { seed: 3 });
    expect(findNearDuplicateText(docs, 'text', { seed: 3 })).toEqual(a);
    // Brute force: every pair at Jaccard >= 0.9 must be among the LSH result.
    const shingles = docs.map(({ text }) => {
      const s = new Set<string>();
      for (let i = 0; i + 3 <= text.length; i++) s.add(text.slice(i, i + 3));
      return s;
    });
    let expected = 0;
    for (let i = 0; i < docs.length; i++)
      for (let j = i + 1; j < docs.length; j++) {
        const inter = [...shingles[i]!].filter((x) => shingles[j]!.has(x)).length;
        if (inter / (shingles[i]!.size + shingles[j]!.size - inter) >= 0.9) expected++;
      }
    expect(expected).toBeGreaterThanOrEqual(20);
    expect(a.pairs.length).toBe(expected);
  });

  it('picks LSH bands that catch a pair at the threshold with p >= 0.995', () => {
    const { bands, rows } = chooseBands(0.9, 128);
    expect(bands * rows).toBeLessThanOrEqual(128);
    expect(1 - (1 - 0.9 ** rows) ** bands).toBeGreaterThanOrEqual(0.995);
    expect(1 - (1 - 0.9 ** (rows + 1)) ** Math.floor(128 / (rows + 1))).toBeLessThan(0.995);
  });
});

describe('missing values', () => {
  const train = [
    { id: 'a', x: 1, c: 'red' },
    { id: 'b', x: 2, c: 'blue' },
    { id: 'c', x: 6, c: 'blue' },
    { id: 'd', x: null, c: '' },
    { id: 'e', x: Number.NaN, c: 'red' },
  ];

  it('fills mean, median and mode (ties: smallest) fitted on train, with an indicator', () => {
    expect(fitMissing(train, { fields: ['x'], strategy: 'mean' }).fills).toEqual({ x: 3 });
    expect(fitMissing(train, { fields: ['x'], strategy: 'median' }).fills).toEqual({ x: 2 });
    expect(fitMissing(train, { fields: ['c'], strategy: 'mode' }).fills).toEqual({ c: 'blue' });
    const { records, changed, removed, state } = handleMissing(train, {
      fields: ['x'],
      strategy: 'mean',
      indicator: true,
    });
    expect(records.map((r) => [r.x, r.x_missing])).toEqual([
      [1, 0],
      [2, 0],
      [6, 0],
      [3, 1],
      [3, 1],
    ]);
    expect(removed).toEqual([]);
    expect(changed).toEqual([
      { id: 'd', reason: 'filled x with mean 3' },
      { id: 'e', reason: 'filled x with mean 3' },
    ]);
    expect(train[3]!.x).toBeNull();
    // Train statistics applied to test, after a JSON round trip.
    const test = applyMissing([{ id: 't', x: undefined }], JSON.parse(JSON.stringify(state)));
    expect(test.records[0]).toEqual({ id: 't', x: 3, x_missing: 1 });
  });

  it('drops records with any missing field and says which fields', () => {
    const out = handleMissing(train, { fields: ['x', 'c'], strategy: 'drop-record' });
    expect(out.records.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(out.removed).toEqual([
      { id: 'd', reason: 'missing x, c' },
      { id: 'e', reason: 'missing x' },
    ]);
  });

  it('refuses non-numbers for mean, all-missing fields, constant without a value and unknown fields', () => {
    const text = thrown(() => fitMissing([{ id: 'a', x: 'ten' }], { fields: ['x'], strategy: 'mean' }));
    expect([text.code, text.record, text.field]).toEqual([ErrorCode.InvalidInput, 'a', 'x']);
    expect(thrown(() => fitMissing([{ x: null }], { fields: ['x'], strategy: 'median' })).code).toBe(
      ErrorCode.InvalidInput,
    );
    expect(thrown(() => fitMissing(train, { fields: ['x'], strategy: 'constant' })).code).toBe(
      ErrorCode.InvalidOptions,
    );
    expect(thrown(() => fitMissing(train, { fields: ['nope'], strategy: 'mode' })).code).toBe(
      ErrorCode.MissingField,
    );
    expect(fitMissing(train, { fields: ['c'], strategy: 'constant', value: 'unknown' }).fills).toEqual({
      c: 'unknown',
    });
  });
});

const decode = async (bytes: Uint8Array) => {
  if (!Buffer.from(bytes).toString().startsWith('PNG')) throw new Error('bad PNG signature');
};

describe('checkMedia', () => {
  it('collects unreadable and undecodable files with their message, skipping missing values', async () => {
    const records = [
      { id: 'a', image: 'img/a.png' },
      { id: 'b', image: 'img/broken.png' },
      { id: 'c', image: 'img/none.png' },
      { id: 'd', image: '' },
      { id: 'e', image: 42 },
    ];
    const check = await checkMedia(records, { root, fields: ['image'], decode, concurrency: 2 });
    expect(check.checked).toBe(4);
    expect(check.missing).toBe(1);
    expect(check.failures.map((f) => [f.id, f.message])).toEqual([
      ['b', 'bad PNG signature'],
      ['c', 'media file not found (img/none.png)'],
      ['e', 'media value must be a path, a data: URI or bytes'],
    ]);
  });

  it('throws for a path escaping the root', async () => {
    const error = await rejected(() =>
      checkMedia([{ id: 'a', image: 'img/link.png' }], { root, fields: ['image'], decode }),
    );
    expect([error.code, error.record, error.step]).toEqual([ErrorCode.PathOutsideRoot, 'a', 'media']);
  });
});

describe('cleanRecords', () => {
  it('runs the plan in order and reports every removed and changed record with a reason', async () => {
    const records = [
      { id: 'r1', image: 'img/a.png', caption: 'a red square on a white background', size: 3 },
      { id: 'r2', image: 'img/a-copy.png', caption: 'a red square on a white background', size: 3 },
      { id: 'r3', image: 'img/b.png', caption: 'A red square on a white background!', size: null },
      { id: 'r4', image: 'img/broken.png', caption: 'a blue circle', size: 5 },
      { id: 'r5', image: 'img/b.png', caption: 'a green triangle', size: null },
    ];
    const { records: clean, report } = await cleanRecords(
      records,
      [
        { step: 'duplicates', mediaFields: ['image'], fields: ['image', 'caption'] },
        { step: 'near-duplicate-text', field: 'caption', threshold: 0.8 },
        { step: 'media', fields: ['image'], decode },
        { step: 'missing', fields: ['size'], strategy: 'median' },
      ],
      { root },
    );
    expect(clean.map((r) => [r.id, r.size])).toEqual([
      ['r1', 3],
      ['r5', 3],
    ]);
    expect(report.steps.map((s) => [s.step, s.input, s.output])).toEqual([
      ['duplicates', 5, 4],
      ['near-duplicate-text', 4, 3],
      ['media', 3, 2],
      ['missing', 2, 2],
    ]);
    const removed = report.steps.flatMap((s) => s.removed);
    expect(removed.map((n) => n.id).sort()).toEqual(['r2', 'r3', 'r4']);
    expect(report.input - report.output).toBe(removed.length);
    expect(removed[0]!.reason).toBe('exact duplicate of "r1"');
    expect(removed[1]!.reason).toMatch(/^near-duplicate of "r1" \(Jaccard 0\.\d+ on caption\)$/);
    expect(removed[2]!.reason).toBe('image (img/broken.png): bad PNG signature');
    expect(report.steps[3]!.changed).toEqual([{ id: 'r5', reason: 'filled size with median 3' }]);
    const markdown = renderCleaningReport(report);
    expect(markdown).toContain('| 1 | duplicates | 5 | 1 | 0 | 4 |');
    for (const id of ['r2', 'r3', 'r4', 'r5']) expect(markdown).toContain(`\`"${id}"\``);
  });

  it('keeps ids from the input positions after removals and applies a fitted state', async () => {
    const state = fitMissing([{ v: 10 }, { v: 20 }], { fields: ['v'], strategy: 'mean' });
    const { report, records } = await cleanRecords(
      [{ v: 1 }, { v: 1 }, { v: null }],
      [{ step: 'duplicates' }, { step: 'missing', state }],
    );
    expect(report.steps[0]!.removed).toEqual([{ id: 1, reason: 'exact duplicate of 0' }]);
    expect(report.steps[1]!.changed).toEqual([{ id: 2, reason: 'filled v with mean 15' }]);
    expect(records).toEqual([{ v: 1 }, { v: 15 }]);
  });

  it('refuses unknown steps and a media step without a root', async () => {
    expect((await rejected(() => cleanRecords([{ a: 1 }], [{ step: 'nope' } as never]))).code).toBe(
      ErrorCode.InvalidOptions,
    );
    expect(
      (await rejected(() => cleanRecords([{ a: 'x' }], [{ step: 'media', fields: ['a'], decode }]))).code,
    ).toBe(ErrorCode.InvalidOptions);
  });
});
