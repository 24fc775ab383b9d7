import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { FusionInput } from '../spec/fusion.js';
import { type DefinedFusionBuildContext, defineFusion } from './define-fusion.js';
import { MODALITY_DROPOUT_CLASS_NAME } from './fusion-layers.js';

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

function vectorInput(dim: number, name = 'a'): FusionInput {
  return {
    name,
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
    expect(made.options).toEqual({ units: 3, modalityDropout: 0 });
    expect(fusion.create({ units: 5 }).options).toEqual({ units: 5, modalityDropout: 0 });
    expect(fusion.create(undefined).options).toEqual({ units: 3, modalityDropout: 0 });
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
    expect(seen.at(-1)).toEqual({ units: 4, modalityDropout: 0 });
    expect(fused.dim).toBe(4);
    expect(fused.output.shape).toEqual([null, 4]);
  });

  it('adds the modalityDropout option to every fusion, validated and kept in the schema it exposes', () => {
    expect(fusion.create({ modalityDropout: 0.25 }).options).toEqual({ units: 3, modalityDropout: 0.25 });
    expect(fusion.schema.parse({})).toEqual({ units: 3, modalityDropout: 0 });
    const error = thrown(() => fusion.create({ modalityDropout: 0.95 }));
    expect(error).toMatchObject({
      code: ErrorCode.InvalidOptions,
      plugin: 'fusion:test-sum',
      path: 'modalityDropout',
    });
    // The fusion's own schema stays strict.
    expect(thrown(() => fusion.create({ extra: 1 }))).toMatchObject({ code: ErrorCode.InvalidOptions });
  });

  it("keeps the fusion schema's refinements", () => {
    const refined = defineFusion({
      id: 'fusion:test-refined',
      version: '1.0.0',
      schema: z
        .strictObject({ low: z.number().default(0), high: z.number().default(1) })
        .refine((o) => o.low < o.high, { message: 'low must be below high', path: ['low'] }),
      build: ({ inputs }) => ({ output: inputs[0]!.encoded.output, dim: 2 }),
    });
    expect(refined.create({ modalityDropout: 0.5 }).options).toEqual({
      low: 0,
      high: 1,
      modalityDropout: 0.5,
    });
    expect(thrown(() => refined.create({ low: 2 }))).toMatchObject({
      code: ErrorCode.InvalidOptions,
      path: 'low',
    });
  });

  it('applies modality dropout to the presences before build: one ModalityDropout layer, columns as presences', () => {
    let context: DefinedFusionBuildContext | undefined;
    const probe = defineFusion({
      id: 'fusion:test-probe',
      version: '1.0.0',
      schema: z.strictObject({}),
      build(built) {
        context = built;
        return { output: built.inputs[0]!.encoded.output, dim: 2 };
      },
    });
    const inputs = [vectorInput(2, 'a'), vectorInput(3, 'b')];
    probe.create({ modalityDropout: 0.3 }).build({ tf, inputs, name: 'fusion', seed: 7 });
    const stacked = context!.presence.stacked;
    expect(stacked.shape).toEqual([null, 2]);
    expect(stacked.sourceLayer.name).toBe('fusion/modality_dropout');
    expect(stacked.sourceLayer.getClassName()).toBe(MODALITY_DROPOUT_CLASS_NAME);
    expect(context!.presence.columns.map((c) => c.sourceLayer.name)).toEqual([
      'fusion/presence_column_0',
      'fusion/presence_column_1',
    ]);
    expect(context!.inputs.map((input) => input.presence)).toEqual(context!.presence.columns);
    expect(context!.inputs.map((input) => input.encoded)).toEqual(inputs.map((input) => input.encoded));

    // Without dropout the presences pass as they are.
    probe.create().build({ tf, inputs, name: 'plain', seed: 7 });
    expect(context!.presence.columns).toEqual(inputs.map((input) => input.presence));
    expect(context!.inputs.map((input) => input.presence)).toEqual(inputs.map((input) => input.presence));
  });

  it('refuses a schema that brings its own modalityDropout', () => {
    const error = thrown(() =>
      defineFusion({
        id: 'fusion:test-own-dropout',
        version: '1.0.0',
        schema: z.strictObject({ modalityDropout: z.number().default(0) }),
        build: ({ inputs }) => ({ output: inputs[0]!.encoded.output, dim: 2 }),
      }),
    );
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.InvalidConfig, plugin: 'fusion:test-own-dropout' });
  });
});
