import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { loadManifest, RECORDS_ON_DISK_BYTES } from './dataset.js';
import { splitDataset } from './split.js';

let dir: string;
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-jsonl-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records whose lines run past the 1 MiB read chunks, with numbers given as strings and unicode. */
function manifestLines(count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        id: `r${i}`,
        image: `media/${i % 7}/${i}.png`,
        text: `${'数字 '.repeat(i % 5)}record ${i} ${'x'.repeat((i * 37) % 400)}`,
        score: i % 3 === 0 ? String(i / 4) : i / 4,
        label: ['zero', 'one', 'two'][i % 3],
        split: i % 10 === 0 ? 'test' : i % 10 === 1 ? 'validation' : 'train',
      }),
    );
  }
  return lines;
}

describe('loadManifest: JSON Lines kept on disk', () => {
  it('gives the same records, ids, types, values and splits as loading into memory', async () => {
    // ~4 MiB: several scan chunks, lines cut at chunk edges; a BOM, CRLF, blank lines, no final newline.
    const lines = manifestLines(12_000);
    const file = write(
      'big.jsonl',
      `\uFEFF${lines.slice(0, 5000).join('\r\n')}\n\n  \n${lines.slice(5000).join('\n')}`,
    );
    const memory = await loadManifest(file, { records: 'memory' });
    const disk = await loadManifest(file, { records: 'file' });
    expect(disk.size).toBe(12_000);
    expect(disk.ids).toEqual(memory.ids);
    expect(disk.idSource).toBe('column');
    expect(disk.schema).toEqual(memory.schema);
    expect(disk.fieldTypes).toEqual(memory.fieldTypes);
    expect(disk.fieldTypes.score).toBe('number');
    expect(disk.fields).toEqual(memory.fields);
    // Coerced on read: the numeric strings of a number field come back as numbers.
    expect(disk.records[3]!.score).toBe(0.75);
    expect([...disk.records]).toEqual([...memory.records]);
    expect(disk.values('text')).toEqual(memory.values('text'));
    expect(disk.mediaRef(11_999, 'image')).toEqual(memory.mediaRef(11_999, 'image'));

    const spec = { type: 'column', column: 'split' } as const;
    const [a, b] = [splitDataset(memory, spec), splitDataset(disk, spec)];
    expect(b.train).toEqual(a.train);
    expect(b.test).toEqual(a.test);
    const subset = b.datasets.test;
    expect(subset.ids).toEqual(a.datasets.test.ids);
    // Out of order and repeated reads of a split of the file.
    for (const i of [1199, 0, 600, 600, 3, 1198])
      expect(subset.records[i]).toEqual(a.datasets.test.records[i]);
  });

  it('reads records through the usual array methods, and refuses writes', async () => {
    const file = write('small.jsonl', manifestLines(50).join('\n'));
    const disk = await loadManifest(file, { records: 'file' });
    const records = disk.records;
    expect(Array.isArray(records)).toBe(true);
    expect(records.length).toBe(50);
    expect(records.map((r) => r.id).slice(0, 3)).toEqual(['r0', 'r1', 'r2']);
    expect(records.filter((r) => r.split === 'test').map((r) => r.id)).toEqual([
      'r0',
      'r10',
      'r20',
      'r30',
      'r40',
    ]);
    expect(records.slice(48)).toHaveLength(2);
    expect(records.at(-1)!.id).toBe('r49');
    expect(records[50]).toBeUndefined();
    expect(49 in records).toBe(true);
    expect(50 in records).toBe(false);
    expect(Object.keys(records)).toHaveLength(50);
    expect(JSON.parse(JSON.stringify(records))).toHaveLength(50);
    expect(() => {
      (records as unknown as Record<string, unknown>[])[0] = {};
    }).toThrow(TypeError);
    expect(() => (records as unknown as unknown[]).push({})).toThrow(TypeError);
  });

  it('keeps JSON Lines over the size limit on disk by default, and smaller ones in memory', async () => {
    const line = JSON.stringify({ id: 'x', text: 'y'.repeat(1000) });
    const count = Math.ceil(RECORDS_ON_DISK_BYTES / 1000) + 10;
    const big = write(
      'auto.jsonl',
      Array.from({ length: count }, (_, i) => line.replace('"x"', `"${i}"`)).join('\n'),
    );
    const small = write('auto-small.jsonl', `${line}\n`);
    // In memory, a record read twice is the same object; on disk, each read parses its line.
    const onDisk = await loadManifest(big);
    expect(onDisk.size).toBe(count);
    const inMemory = await loadManifest(small);
    expect(inMemory.records[0]).toBe(inMemory.records[0]);
    const first = onDisk.records[0];
    onDisk.records[1];
    expect(onDisk.records[0]).not.toBe(first);
    expect(onDisk.records[0]).toEqual(first);
  });

  it('names the line of bad JSON, and a record whose file changed after loading', async () => {
    const lines = manifestLines(20);
    lines[13] = '{"id": "broken",';
    await expect(
      loadManifest(write('bad.jsonl', lines.join('\n')), { records: 'file' }),
    ).rejects.toMatchObject({
      code: ErrorCode.Manifest,
      message: expect.stringContaining('line 14'),
      file: path.join(dir, 'bad.jsonl'),
    });
    await expect(
      loadManifest(write('arr.jsonl', '{"a":1}\n[1,2]\n'), { records: 'file' }),
    ).rejects.toMatchObject({ message: expect.stringContaining('line 2: each line must be a JSON object') });

    const file = write('changing.jsonl', manifestLines(20).join('\n'));
    const disk = await loadManifest(file, { records: 'file' });
    writeFileSync(file, `{"id":"new"}\n${manifestLines(20).join('\n')}`);
    let thrown: unknown;
    try {
      disk.records[7];
    } catch (error) {
      thrown = error;
    }
    expect(OmnifuseError.isInstance(thrown)).toBe(true);
    expect((thrown as OmnifuseError).code).toBe(ErrorCode.Manifest);
    expect((thrown as OmnifuseError).message).toContain('changed after it was loaded');
    // Same length, other bytes: told by the modification time, not by luck in parsing.
    const same = write('same-size.jsonl', '{"id":"a","x":1}\n{"id":"b","x":2}\n');
    const loaded = await loadManifest(same, { records: 'file' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(same, '{"id":"a","x":3}\n{"id":"b","x":4}\n');
    expect(() => loaded.records[1]).toThrow(/changed after it was loaded/);
  });

  it('keeps CSV and TSV records on disk too: quoted newlines, unicode, a BOM and blank lines', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: `r${i}`,
      text: i % 4 === 0 ? `line one, "quoted"\nline two 数字 ${i}` : `plain ${i}`,
      score: i % 5 === 0 ? '' : String(i / 8),
      label: ['a', 'b', 'c'][i % 3]!,
    }));
    const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    const csv = `\uFEFFid,text,score,label\n${rows
      .map((r, i) => `${[r.id, r.text, r.score, r.label].map(cell).join(',')}\n${i === 7 ? '\n' : ''}`)
      .join('')}`;
    const file = write('big.csv', csv);
    const memory = await loadManifest(file, { records: 'memory' });
    const disk = await loadManifest(file, { records: 'file' });
    expect(disk.size).toBe(3000);
    expect(disk.fieldTypes).toEqual(memory.fieldTypes);
    expect(disk.fieldTypes.score).toBe('number');
    expect(disk.schema).toEqual(memory.schema);
    expect(disk.ids).toEqual(memory.ids);
    expect([...disk.records]).toEqual([...memory.records]);
    expect(disk.records[0]!.text).toBe('line one, "quoted"\nline two 数字 0');
    expect(disk.records[5]!.score).toBeNull();
    for (const i of [2999, 4, 0, 1500]) expect(disk.records[i]).toEqual(memory.records[i]);

    const tsv = write('small.tsv', 'id\tnote\n1\tsays "hi"\n2\tbye\n');
    const tsvDisk = await loadManifest(tsv, { records: 'file' });
    expect([...tsvDisk.records]).toEqual([...(await loadManifest(tsv, { records: 'memory' })).records]);
    expect(tsvDisk.records[0]!.note).toBe('says "hi"');

    await expect(
      loadManifest(write('bad.csv', 'a,b\n1,2\n3,4,5\n'), { records: 'file' }),
    ).rejects.toMatchObject({
      code: ErrorCode.Manifest,
      message: expect.stringContaining('line 3'),
    });
  });

  it('holds its index and ids in memory, not the records', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const count = 60_000;
    const file = write('heap.jsonl', manifestLines(count).join('\n'));
    const used = () => {
      for (let i = 0; i < 3; i++) gc();
      return v8.getHeapStatistics().used_heap_size;
    };
    // From a fresh task: collections in the one that wrote the file still find its text alive.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const before = used();
    const disk = await loadManifest(file, { records: 'file' });
    const onDisk = (used() - before) / count;
    const memory = await loadManifest(file, { records: 'memory' });
    const inMemory = (used() - before) / count - onDisk;
    expect(disk.size + memory.size).toBe(2 * count);
    // The index (24 B) and an id (a short string and its slot) per record; the records in memory
    // take several times that.
    expect(onDisk).toBeLessThan(100);
    expect(inMemory).toBeGreaterThan(3 * onDisk);
  });

  it('falls back to row ids when the id column repeats', async () => {
    const file = write('dup.jsonl', '{"id":"a","x":1}\n{"id":"b","x":2}\n{"id":"a","x":3}\n');
    const disk = await loadManifest(file, { records: 'file' });
    expect(disk.idSource).toBe('row');
    expect(disk.ids).toEqual([0, 1, 2]);
  });
});
