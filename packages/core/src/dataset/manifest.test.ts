import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { loadManifest } from './dataset.js';

const SENTIMENT = sharedDataPath('sentiment');

async function rejected(promise: Promise<unknown>): Promise<OmnifuseError> {
  try {
    await promise;
  } catch (error) {
    if (OmnifuseError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an OmnifuseError');
}

let dir: string;
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-manifest-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadManifest: JSONL', () => {
  it('loads records, ids from the id column, field types and the root', async () => {
    const file = write(
      'm.jsonl',
      '{"id":"a","audio":"a.wav","label":"yes","x":1}\n\n{"id":"b","audio":"b.wav","label":"no","x":2.5}\r\n',
    );
    const dataset = await loadManifest(file);
    expect(dataset.root).toBe(dir);
    expect(dataset.source).toBe(file);
    expect(dataset.size).toBe(2);
    expect(dataset.ids).toEqual(['a', 'b']);
    expect(dataset.idSource).toBe('column');
    expect(dataset.fields).toEqual(['id', 'audio', 'label', 'x']);
    expect(dataset.fieldTypes).toMatchObject({ audio: 'audio', label: 'category', x: 'number' });
    expect(dataset.mediaRef(1, 'audio')).toEqual({
      kind: 'file',
      path: path.join(dir, 'b.wav'),
      relativePath: 'b.wav',
    });
    expect(dataset.values('x')).toEqual([1, 2.5]);
    const sub = dataset.subset([1]);
    expect(sub.ids).toEqual(['b']);
    expect(sub.fieldTypes).toEqual(dataset.fieldTypes);
  });

  it('falls back to row numbers when ids repeat', async () => {
    const dataset = await loadManifest(write('dup.jsonl', '{"id":1}\n{"id":1}\n'));
    expect(dataset.ids).toEqual([0, 1]);
    expect(dataset.idSource).toBe('row');
  });

  it('names the file and line of a parse error', async () => {
    const file = write('bad.jsonl', '{"a":1}\n{"a":2}\n{"a":\n');
    const error = await rejected(loadManifest(file));
    expect(error.code).toBe(ErrorCode.Manifest);
    expect(error.file).toBe(file);
    expect(error.details?.line).toBe(3);
    expect(error.message).toMatch(/line 3/);
    expect((await rejected(loadManifest(write('arr.jsonl', '{"a":1}\n[1]\n')))).details?.line).toBe(2);
  });
});

describe('loadManifest: CSV and TSV', () => {
  it('parses quoted fields and converts numeric columns, keeping text as is', async () => {
    const file = write(
      'm.csv',
      'id,text,score,emb\r\n001,"hello, ""world""  ",1,"[1,2]"\r\n002,"two\nlines",0.5,"[3,4]"\r\n003,,7,\r\n',
    );
    const dataset = await loadManifest(file);
    expect(dataset.ids).toEqual(['001', '002', '003']);
    expect(dataset.records[0]).toEqual({ id: '001', text: 'hello, "world"  ', score: 1, emb: [1, 2] });
    expect(dataset.records[1]!.text).toBe('two\nlines');
    expect(dataset.records[2]).toEqual({ id: '003', text: '', score: 7, emb: null });
    expect(dataset.fieldTypes).toMatchObject({ score: 'number', emb: 'vector' });
    expect(dataset.schema.text).toMatchObject({ missing: 1 });
  });

  it('lets types be overridden', async () => {
    const dataset = await loadManifest(write('o.csv', 'label\n1\n0\n'), {
      fieldTypes: { label: 'category' },
    });
    expect(dataset.fieldTypes.label).toBe('category');
    expect(dataset.records[0]!.label).toBe('1');
  });

  it('names file and line of a bad row, and refuses duplicate columns', async () => {
    const file = write('bad.csv', 'a,b\n1,2\n3,4,5\n');
    const error = await rejected(loadManifest(file));
    expect(error).toMatchObject({ code: ErrorCode.Manifest, file });
    expect(error.details?.line).toBe(3);
    const unclosed = await rejected(loadManifest(write('q.csv', 'a,b\n1,"2\n')));
    expect(unclosed.code).toBe(ErrorCode.Manifest);
    expect((await rejected(loadManifest(write('d.csv', 'a,a\n1,2\n')))).message).toMatch(
      /duplicate column "a"/,
    );
  });

  it('reads TSV without quoting and takes column names for headerless files', async () => {
    const dataset = await loadManifest(write('h.tsv', '"quoted" text\t1\nplain\t0\n'), {
      columns: ['sentence', 'score'],
    });
    expect(dataset.records).toEqual([
      { sentence: '"quoted" text', score: 1 },
      { sentence: 'plain', score: 0 },
    ]);
  });

  it('asks for a format when the extension does not tell, and reports a missing manifest', async () => {
    expect((await rejected(loadManifest(write('m.txt', 'a\n')))).message).toMatch(/pass \{ format \}/);
    expect((await rejected(loadManifest(path.join(dir, 'nope.csv')))).message).toMatch(/manifest not found/);
  });
});

describe('loadManifest: records in code', () => {
  it('keeps bytes inline and infers their media type', async () => {
    const wav = Buffer.from('RIFF\0\0\0\0WAVEfmt ');
    const dataset = await loadManifest({
      records: [
        { clip: wav, n: 1 },
        { clip: null, n: 2 },
      ],
      root: dir,
    });
    expect(dataset.root).toBe(dir);
    expect(dataset.fieldTypes.clip).toBe('audio');
    expect(dataset.mediaRef(0, 'clip')).toMatchObject({ kind: 'inline', mediaType: 'audio/wav' });
    expect(dataset.isMissing(1, 'clip')).toBe(true);
    expect(() => dataset.mediaRef(1, 'clip')).toThrow(/missing/);
  });
});

describeWithData('sentiment', 'loadManifest on the real sentiment TSV', () => {
  it('loads imdb_labelled.txt: header line, quotes and trailing spaces kept', async () => {
    const dataset = await loadManifest(path.join(SENTIMENT, 'imdb_labelled.txt'), { format: 'tsv' });
    expect(dataset.size).toBe(1000);
    expect(dataset.fields).toEqual(['sentence', 'score']);
    expect(dataset.fieldTypes).toEqual({ sentence: 'text', score: 'number' });
    expect(dataset.records[0]!.sentence).toBe(
      'A very, very, very slow-moving, aimless movie about a distressed, drifting young man.  ',
    );
    expect(dataset.records.some((r) => String(r.sentence).includes('"'))).toBe(true);
    expect(dataset.values('score').filter((s) => s === 1)).toHaveLength(500);
  });
});
