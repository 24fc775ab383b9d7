import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { FusionInput } from '../spec/fusion.js';
import { defineFusion } from './define-fusion.js';

const schema = z.strictObject({ units: z.number().int().positive().default(3) });

const seen: { units: number }[] = [];
const fusion = defineFusion({
  id: 'fusion:test-sum',
  version: '2.1.0',
  packageName: '@omnifuse/test-sum',
  description: 'a dense layer over the first input',
  schema,
  build({ tf, inputs, name }, options) {
    seen.push(options);
    const output = tf.layers
      .dense({ units: options.units, name: `${name}/dense` })
      .apply(inputs[0]!.encoded.output) as tf.SymbolicTensor;
    return { output, dim: options.units };
  },
});

function vectorInput(dim: number): FusionInput {
  return {
    name: 'a',
    modality: 'vector',
    encoded: { kind: 'vector', output: tf.input({ shape: [dim] }), dim },
    presence: tf.input({ shape: [1] }),
  };
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('defineFusion', () => {
  it('makes a plugin whose create is the fusion factory', () => {
    expect(fusion.plugin).toMatchObject({
      specificationVersion: 'v1',
      kind: 'fusion',
      id: 'fusion:test-sum',
      packageName: '@omnifuse/test-sum',
      description: 'a dense layer over the first input',
    });
    expect(fusion.plugin.create).toBe(fusion.create);
  });

  it('parses options with defaults filled in, from nothing or an object', () => {
    const made = fusion.create();
    expect(made).toMatchObject({ specificationVersion: 'v1', id: 'fusion:test-sum', version: '2.1.0' });
    expect(made.options).toEqual({ units: 3 });
    expect(fusion.create({ units: 5 }).options).toEqual({ units: 5 });
    expect(fusion.create(undefined).options).toEqual({ units: 3 });
  });

  it('rejects bad options with an E_OPTIONS error naming the plugin, step and path', () => {
    const error = thrown(() => fusion.create({ units: -1 }));
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: ErrorCode.InvalidOptions,
      plugin: 'fusion:test-sum',
      step: 'create',
      path: 'units',
    });
    expect((error as OmnifuseError).reason).toMatch(/^invalid options for fusion:test-sum: /);
  });

  it('fails build with E_CONFIG when there is nothing to fuse, before the fusion runs', () => {
    const before = seen.length;
    const error = thrown(() => fusion.create().build({ tf, inputs: [], name: 'fusion', seed: 1 }));
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: ErrorCode.InvalidConfig,
      reason: 'fusion needs at least one input',
      plugin: 'fusion:test-sum',
      step: 'build',
      expected: 'one or more inputs',
      found: 0,
    });
    expect(seen.length).toBe(before);
  });

  it('hands build the context and the parsed options', () => {
    const fused = fusion
      .create({ units: 4 })
      .build({ tf, inputs: [vectorInput(2)], name: 'fusion', seed: 1 });
    expect(seen.at(-1)).toEqual({ units: 4 });
    expect(fused.dim).toBe(4);
    expect(fused.output.shape).toEqual([null, 4]);
  });
});
