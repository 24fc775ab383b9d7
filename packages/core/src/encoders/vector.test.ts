import { describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { describeEncoderConformance } from '../testing/index.js';
import { createVectorEncoder, vectorEncoderPlugin } from './vector.js';

const readMedia = async () => new Uint8Array();
const fitContext = { field: 'x', readMedia };
const at = (record: string | number) => ({ record, field: 'x', readMedia });

describeEncoderConformance('vector (lists)', {
  plugin: vectorEncoderPlugin,
  options: { hidden: [8, 4], dropout: 0.1 },
  invalidOptions: [
    { hidden: [0] },
    { activation: 'nope' },
    { dropout: 2 },
    { unknown: true },
    'not an object',
  ],
  samples: [
    [1, 2, 3],
    [4, 5, 6],
    [0.5, -1, 2],
    [7, 7, 7],
  ],
  badInputs: [
    { value: [1, 2], reason: 'too short' },
    { value: [1, Number.NaN, 3], reason: 'NaN' },
    { value: [1, Number.POSITIVE_INFINITY, 3], reason: 'infinity' },
    { value: 'abc', reason: 'a string' },
    { value: null, reason: 'null' },
    { value: { a: 1 }, reason: 'an object for a list encoder' },
  ],
});

describeEncoderConformance('vector (named numbers, noise augmentation)', {
  plugin: vectorEncoderPlugin,
  options: { hidden: [6], activation: 'gelu', noise: 0.1 },
  samples: [
    { age: 30, income: 52_000 },
    { income: 61_000, age: 41 },
    { age: '25', income: '38000' },
  ],
  badInputs: [
    { value: { age: 30 }, reason: 'a missing key' },
    { value: { age: 30, income: 1, height: 2 }, reason: 'an unexpected key' },
    { value: { age: 'thirty', income: 1 }, reason: 'a non-numeric string' },
  ],
});

describeEncoderConformance('vector (scalars, no hidden layers)', {
  plugin: vectorEncoderPlugin,
  options: { hidden: [], standardize: false },
  samples: [1, 2.5, -3],
  badInputs: [{ value: [1, 2], reason: 'a list for a scalar encoder' }],
});

describe('vector encoder', () => {
  it('standardises with the training mean and std, and a constant dimension keeps std 1', async () => {
    const encoder = createVectorEncoder();
    const state = await encoder.fit(
      [
        [1, 5],
        [3, 5],
      ],
      fitContext,
    );
    expect(state).toEqual({ dim: 2, keys: null, mean: [2, 5], std: [1, 1] });
    const feature = await encoder.preprocess([4, 6], state, at(0));
    expect([...feature.data]).toEqual([2, 1]);
  });

  it('fixes the key order of named numbers at fit', async () => {
    const encoder = createVectorEncoder({ standardize: false });
    const state = await encoder.fit([{ b: 2, a: 1 }], fitContext);
    expect(state.keys).toEqual(['a', 'b']);
    const feature = await encoder.preprocess({ b: 20, a: 10 }, state, at(0));
    expect([...feature.data]).toEqual([10, 20]);
  });

  it('names the record, field, expectation and finding of a bad value', async () => {
    const encoder = createVectorEncoder();
    const state = await encoder.fit([[1, 2, 3]], fitContext);
    const error = await Promise.resolve()
      .then(() => encoder.preprocess([1, 2], state, at('row-7')))
      .catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: ErrorCode.InvalidInput,
      record: 'row-7',
      field: 'x',
      plugin: 'vector:mlp',
      expected: 3,
      found: 2,
    });
    expect((error as Error).message).toContain('record "row-7"');
  });

  it('refuses to fit on no values, and names the training value that is bad', async () => {
    const encoder = createVectorEncoder();
    expect(() => encoder.fit([], fitContext)).toThrow(/no values/);
    expect(() => encoder.fit([[1, 2], [1]], fitContext)).toThrow(
      expect.objectContaining({ record: 1, field: 'x' }),
    );
  });

  it('fills defaults and reports an invalid option by its path', () => {
    expect(createVectorEncoder().options).toEqual({
      hidden: [64],
      activation: 'relu',
      dropout: 0,
      standardize: true,
      noise: 0,
    });
    expect(() => createVectorEncoder({ hidden: [4, -1] })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, path: 'hidden[1]' }),
    );
  });

  it('declares augment only when noise is asked for', () => {
    expect(createVectorEncoder().augment).toBeUndefined();
    expect(typeof createVectorEncoder({ noise: 0.1 }).augment).toBe('function');
  });
});
