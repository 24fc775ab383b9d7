import { createDataset, parseModelSpec } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { inferConfig } from './infer-config.js';

const records = Array.from({ length: 30 }, (_, i) => ({
  id: i,
  photo: `img/${i}.png`,
  clip: `audio/${i}.wav`,
  age: 20 + i,
  colour: ['red', 'green', 'blue'][i % 3],
  split: i < 20 ? 'train' : 'test',
  price: i * 1.5,
}));

describe('inferConfig', () => {
  it('picks an encoder per type, a fusion, and the split column', () => {
    const dataset = createDataset(records);
    const { config, fields } = inferConfig(dataset, { label: 'price', data: 'data.jsonl' });
    const spec = parseModelSpec(config);
    expect(spec.inputs.map((i) => [i.field, i.encoder])).toEqual([
      ['photo', 'vision:cnn'],
      ['clip', 'audio:cnn2d'],
      ['age', 'vector:mlp'],
      ['colour', 'text:tfidf'],
    ]);
    expect(spec.output.type).toBe('regression');
    expect(spec.split).toEqual({ type: 'column', column: 'split' });
    expect(spec.plugins).toEqual([
      '@omnifuse/fusion-concat',
      '@omnifuse/modality-audio',
      '@omnifuse/modality-text',
      '@omnifuse/modality-vision',
    ]);
    expect(fields.find((f) => f.field === 'id')?.role).toBe('skipped');
  });

  it('guesses a category label and stratifies by it; names the field when it cannot', () => {
    const dataset = createDataset(records.map(({ id, age, colour }) => ({ id, age, colour })));
    const { config } = inferConfig(dataset, { data: 'd.csv' });
    expect(config.output).toEqual({ type: 'classification', field: 'colour' });
    expect(config.split).toMatchObject({ type: 'stratified', by: 'colour' });
    expect(config.fusion).toBeUndefined();
    expect(() => inferConfig(createDataset([{ a: 1 }, { a: 2 }]), { data: 'd' })).toThrow(/--label/);
    expect(() => inferConfig(dataset, { label: 'nope', data: 'd' })).toThrow(/field "nope"/);
  });
});
