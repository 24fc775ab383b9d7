import { ErrorCode, parseModelSpec, vectorEncoderPlugin } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { resolveRegistry } from '../plugins.js';
import { checkParamPaths } from './check-params.js';
import { metricDirection, rankByValue, readMetric } from './metric.js';
import { applyParams, gridParams, parseSearchSpace, sampleParams } from './space.js';

const spec = parseModelSpec({
  inputs: [{ field: 'x', encoder: 'vector:mlp', options: { hidden: [4] } }],
  output: { type: 'classification', field: 'y' },
});

describe('search space', () => {
  it('enumerates a grid, the last parameter fastest, and spaces ranges with steps', () => {
    const space = parseSearchSpace({ 'training.learningRate': [0.1, 0.01], 'training.batchSize': [8, 16] });
    expect(gridParams(space)).toEqual([
      { 'training.learningRate': 0.1, 'training.batchSize': 8 },
      { 'training.learningRate': 0.1, 'training.batchSize': 16 },
      { 'training.learningRate': 0.01, 'training.batchSize': 8 },
      { 'training.learningRate': 0.01, 'training.batchSize': 16 },
    ]);
    const ranged = parseSearchSpace({
      'training.learningRate': { min: 1e-4, max: 1e-2, log: true, steps: 3 },
    });
    expect(gridParams(ranged).map((p) => p['training.learningRate'])).toEqual([1e-4, 1e-3, 1e-2]);
    expect(() => gridParams(parseSearchSpace({ 'training.learningRate': { min: 0, max: 1 } }))).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, path: 'space.training.learningRate' }),
    );
  });

  it('samples seeded: the same seed gives the same trials, each within its range', () => {
    const space = parseSearchSpace({
      'training.learningRate': { min: 1e-4, max: 1e-1, log: true },
      'training.batchSize': { min: 4, max: 6, int: true },
      'output.head.activation': ['relu', 'tanh'],
    });
    const draw = (seed: number) => Array.from({ length: 20 }, (_, i) => sampleParams(space, seed, i));
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    for (const params of draw(3)) {
      expect(params['training.learningRate']).toBeGreaterThanOrEqual(1e-4);
      expect(params['training.learningRate']).toBeLessThanOrEqual(1e-1);
      expect([4, 5, 6]).toContain(params['training.batchSize']);
      expect(['relu', 'tanh']).toContain(params['output.head.activation']);
    }
    expect(new Set(draw(3).map((p) => p['training.batchSize']))).toEqual(new Set([4, 5, 6]));
  });

  it('rejects a malformed space naming the parameter', () => {
    expect(() => parseSearchSpace({ 'training.learningRate': { min: 2, max: 1 } })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, path: 'space.training.learningRate' }),
    );
    expect(() => parseSearchSpace({})).toThrow(/empty/);
  });

  it('applies dotted paths to a copy, creating missing objects', () => {
    const applied = applyParams(spec, {
      'inputs.0.options.hidden': [8, 8],
      'training.optimizerOptions.beta1': 0.8,
    });
    expect(applied.inputs[0]!.options).toEqual({ hidden: [8, 8] });
    expect(applied.training.optimizerOptions).toEqual({ beta1: 0.8 });
    expect(spec.inputs[0]!.options).toEqual({ hidden: [4] });
    expect(() => applyParams(spec, { 'inputs.3.options.hidden': [2] })).toThrow(/inputs\[3\]/);
  });
});

describe('parameter paths', () => {
  const check = async (space: Record<string, unknown>) =>
    checkParamPaths(
      spec,
      parseSearchSpace(space),
      await resolveRegistry({ baseDir: '.', registry: [vectorEncoderPlugin] }),
    );

  it('accepts spec fields, optional fields and encoder options', async () => {
    await expect(
      check({
        'training.learningRate': [0.1],
        'training.gradientClipNorm': [1],
        'inputs.0.options.dropout': [0.1],
        // An out-of-range value is the trial's failure, not a bad path.
        'training.batchSize': [-1],
      }),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['training.learningRat', 'training.learningRat'],
    ['inputs.0.options.filterz', 'inputs[0].options.filterz'],
    ['training.learningRate.value', 'training.learningRate'],
    ['inputs.2.encoder', 'inputs[2]'],
  ])('an unknown path %s is E_OPTIONS naming it', async (param, at) => {
    const error = await check({ [param]: [1] }).catch((e) => e);
    expect(error).toMatchObject({ code: ErrorCode.InvalidOptions, path: `space.${param}` });
    expect(error.message).toContain(`"${param}"`);
    expect(error.message).toContain(at);
  });
});

describe('metrics', () => {
  it('infers the direction and reads the split', () => {
    expect(metricDirection('val_accuracy')).toBe('max');
    expect(metricDirection('val_loss')).toBe('min');
    expect(metricDirection('test_mae')).toBe('min');
    const metrics = {
      validation: { size: 1, loss: 0.5, accuracy: 0.9 },
      test: { size: 1, loss: 0.7, accuracy: 0.8 },
    };
    expect(readMetric('val_accuracy', metrics)).toBe(0.9);
    expect(readMetric('test_loss', metrics)).toBe(0.7);
    expect(readMetric('val_macroF1', metrics)).toBeUndefined();
  });

  it('ranks best first, ties in the given order, missing values last', () => {
    const items = [{ v: 0.5 }, { v: null }, { v: 0.9 }, { v: 0.5 }];
    expect(rankByValue(items, (i) => i.v, 'max')).toEqual([items[2], items[0], items[3], items[1]]);
    expect(rankByValue(items, (i) => i.v, 'min')).toEqual([items[0], items[3], items[2], items[1]]);
  });
});
