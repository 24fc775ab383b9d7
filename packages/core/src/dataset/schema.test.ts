import { describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { createDataset } from './dataset.js';
import { isMissing } from './missing.js';
import { categoryOrText, classifyValue, coerceRecords, inferSchema } from './schema.js';
import { assertValidRecords, validateRecords } from './validate.js';

describe('isMissing', () => {
  it('treats undefined, null and blank strings as missing, and nothing else', () => {
    for (const value of [undefined, null, '', '   ', '\t\r\n']) expect(isMissing(value)).toBe(true);
    for (const value of [0, false, Number.NaN, 'x', ' x ', [], new Uint8Array()])
      expect(isMissing(value)).toBe(false);
  });
});

describe('inferSchema', () => {
  const wav = Buffer.from('RIFF\0\0\0\0WAVEfmt ');
  const records = [
    {
      n: 1,
      s: '2.5',
      c: 'cat',
      t: 'a long sentence with many words',
      img: 'a/b.PNG',
      au: 'x.wav',
      v: [1, 2],
      b: Uint8Array.from([1, 2, 3]),
      inl: 'data:image/png;base64,iVBORw==',
      w: wav,
    },
    {
      n: 2,
      s: '-1e3',
      c: 'dog',
      t: 'another one with several words',
      img: 'c.jpeg',
      au: 'y.flac',
      v: [3, 4],
      b: Uint8Array.from([4]),
      inl: null,
      w: wav,
    },
    {
      n: null,
      s: ' ',
      c: 'cat',
      t: 'third of the long sentences here',
      img: '',
      au: 'z.m4a',
      v: new Float32Array(2),
      b: undefined,
      w: wav,
    },
  ];

  it('types each field and counts missing values', () => {
    const schema = inferSchema(records);
    expect(Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, v.type]))).toEqual({
      n: 'number',
      s: 'number',
      c: 'category',
      t: 'text',
      img: 'image',
      au: 'audio',
      v: 'vector',
      b: 'binary',
      inl: 'image',
      w: 'audio',
    });
    expect(schema.n).toMatchObject({ present: 2, missing: 1 });
    expect(schema.s).toMatchObject({ present: 2, missing: 1 });
    expect(schema.img).toMatchObject({ present: 2, missing: 1 });
    expect(schema.inl).toMatchObject({ present: 1, missing: 2 });
    expect(schema.c).toMatchObject({ distinct: 2 });
  });

  it('types decoded images and audio given in code as image and audio', () => {
    const image = (v: number) => ({ width: 2, height: 2, channels: 1, data: new Uint8Array(4).fill(v) });
    const clip = (v: number) => ({ sampleRate: 8000, samples: new Float32Array(8).fill(v) });
    const schema = inferSchema([
      { image: image(1), audio: clip(0.1) },
      { image: image(2), audio: clip(0.2) },
      { image: image(1), audio: clip(0.1) },
    ]);
    expect(schema.image!.type).toBe('image');
    expect(schema.audio!.type).toBe('audio');
    expect(schema.image!.distinct).toBe(2);
  });

  it('classifies single values', () => {
    expect(classifyValue('NaN')).toBe('number');
    expect(classifyValue('[1, 2.5]')).toBe('vector');
    expect(classifyValue(['a', 'b'])).toBe('list');
    expect(classifyValue(true)).toBe('boolean');
    expect(classifyValue('data:audio/wav;base64,AA==')).toBe('audio');
    expect(classifyValue('data:application/pdf;base64,AA==')).toBe('binary');
    expect(classifyValue({ a: 1 })).toBe('other');
  });

  it('tells categories from text by tokens and distinct ratio', () => {
    expect(categoryOrText(['positive', 'negative', 'positive'], 2)).toBe('category');
    const words = Array.from({ length: 40 }, (_, i) => `word${i % 30}`);
    expect(categoryOrText(words, 30)).toBe('text');
    const fewWords = Array.from({ length: 40 }, (_, i) => `word${i % 10}`);
    expect(categoryOrText(fewWords, 10)).toBe('category');
    expect(categoryOrText(['one two three four', 'five six seven eight'], 2)).toBe('text');
  });

  it('treats numbers among strings as strings', () => {
    const schema = inferSchema([{ x: 'a' }, { x: 1 }, { x: 'b' }]);
    expect(schema.x!.type).toBe('category');
  });

  it('coerces numeric strings of number fields and JSON vectors, leaving kept fields alone', () => {
    const out = coerceRecords(
      [
        { id: '007', n: ' 3 ', v: '[1,2]' },
        { id: '008', n: 'inf', v: '' },
      ],
      { id: 'number', n: 'number', v: 'vector' },
      ['id'],
    );
    expect(out).toEqual([
      { id: '007', n: 3, v: [1, 2] },
      { id: '008', n: Infinity, v: null },
    ]);
  });
});

describe('validateRecords', () => {
  const dataset = createDataset(
    [
      { id: 'a', x: 1, v: [1, 2], label: 'p', img: 'a.png' },
      { id: 'b', x: Number.NaN, v: [1, Infinity], label: 'n', img: 'b.wav' },
      { id: 'c', x: 'oops', v: [1, 2, 3], label: null, img: 'c.png' },
      { id: 'd', x: 4, v: [5, 6], label: 'p', img: 'd.png' },
    ],
    { fieldTypes: { x: 'number', img: 'image' } },
    '/data/m.jsonl',
  );

  it('reports missing fields, non-finite numbers and wrong types with record ids', () => {
    const issues = validateRecords(
      dataset,
      { x: 'number', v: 'vector', label: 'category', img: 'image', gone: 'text' },
      { required: ['label'] },
    );
    const summary = issues.map((issue) => [issue.kind, issue.field, issue.record]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['non-finite', 'x', 'b'],
        ['wrong-type', 'x', 'c'],
        ['non-finite', 'v', 'b'],
        ['wrong-type', 'v', 'c'],
        ['missing-value', 'label', 'c'],
        ['wrong-type', 'img', 'b'],
        ['missing-field', 'gone', undefined],
      ]),
    );
    expect(issues).toHaveLength(7);
    expect(validateRecords(dataset, { label: 'category' })).toEqual([]);
  });

  it('has a throwing variant naming record, field and file', () => {
    expect(() => assertValidRecords(dataset, { label: 'category' })).not.toThrow();
    let error: unknown;
    try {
      assertValidRecords(dataset, { x: 'number' });
    } catch (caught) {
      error = caught;
    }
    expect(OmnifuseError.isInstance(error)).toBe(true);
    const e = error as OmnifuseError;
    expect(e.code).toBe(ErrorCode.InvalidInput);
    expect(e.record).toBe('b');
    expect(e.field).toBe('x');
    expect(e.file).toBe('/data/m.jsonl');
    expect(e.details?.total).toBe(2);
    expect(() => assertValidRecords(dataset, { x: 'nope' as 'text' })).toThrow(/unknown field type/);
  });
});
