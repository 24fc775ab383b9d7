import type { SymbolicTensor } from '@tensorflow/tfjs';
import { z } from 'zod';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { EncoderPluginV1, EncoderV1, RecordContext } from '../spec/encoder.js';
import type { Feature } from '../spec/feature.js';

export interface MockEncoderPluginOptions {
  /** Plugin id; default `mock:numbers`. */
  readonly id?: string;
  /** Feature length (and output width); default 4. */
  readonly dim?: number;
  /** Count calls of each step in `plugin.calls`; default true. */
  readonly countCalls?: boolean;
  /** Encoder version, so a test can change the feature-cache key; default `1.0.0`. */
  readonly version?: string;
  readonly modality?: string;
}

/** How often each step ran, across every encoder the plugin created. */
export interface MockEncoderCalls {
  create: number;
  fit: number;
  preprocess: number;
  augment: number;
  build: number;
}

/** A number (spread over `dim` features), or a list of exactly `dim` numbers. */
export type MockEncoderRaw = number | readonly number[];

export interface MockEncoderState {
  /** Mean of every training number; subtracted in preprocess. */
  readonly mean: number;
}

export interface MockEncoderPlugin extends EncoderPluginV1<MockEncoderRaw, MockEncoderState> {
  readonly calls: MockEncoderCalls;
  resetCalls(): void;
}

const createOptionsSchema = z
  .object({
    /** Multiplies every feature; part of the options, so it changes the cache key. */
    scale: z.number().positive().default(1),
    /** Std of augmentation noise; 0 leaves features as they are. */
    noise: z.number().min(0).default(0.05),
  })
  .strict();

/**
 * A small numeric encoder for tests of whatever drives encoders (datasets, the feature cache, the
 * trainer): cheap to run, fully checked, and it counts how often each step ran.
 */
export function createMockEncoderPlugin(settings: MockEncoderPluginOptions = {}): MockEncoderPlugin {
  const id = settings.id ?? 'mock:numbers';
  const dim = settings.dim ?? 4;
  const version = settings.version ?? '1.0.0';
  const counting = settings.countCalls ?? true;
  const calls: MockEncoderCalls = { create: 0, fit: 0, preprocess: 0, augment: 0, build: 0 };
  const count = (step: keyof MockEncoderCalls) => {
    if (counting) calls[step]++;
  };

  const create = (options: unknown = {}): EncoderV1<MockEncoderRaw, MockEncoderState> => {
    count('create');
    const result = createOptionsSchema.safeParse(options ?? {});
    if (!result.success) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `invalid options for ${id}: ${result.error.issues[0]!.message}`,
        plugin: id,
        step: 'create',
        found: options,
      });
    }
    const { scale, noise } = result.data;
    return {
      specificationVersion: 'v1',
      id,
      modality: settings.modality ?? 'vector',
      version,
      options: result.data,
      fit(values, context) {
        count('fit');
        const numbers = values.flatMap((value, i) =>
          readNumbers(id, value, dim, { record: i, field: context.field }, 'fit'),
        );
        return { mean: numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : 0 };
      },
      preprocess(raw, state, context) {
        count('preprocess');
        const numbers = readNumbers(id, raw, dim, context, 'preprocess');
        return {
          dtype: 'float32',
          shape: [dim],
          data: Float32Array.from(numbers, (x) => (x - state.mean) * scale),
        };
      },
      featureSpec: () => ({ dtype: 'float32', shape: [dim] }),
      augment(feature, _state, { rng }): Feature {
        count('augment');
        return {
          dtype: 'float32',
          shape: feature.shape,
          data: Float32Array.from(feature.data, (x) => x + noise * rng.normal()),
        };
      },
      build({ tf, input, name, seed }) {
        count('build');
        const output = tf.layers
          .dense({
            units: dim,
            activation: 'tanh',
            name: `${name}_mock_dense`,
            kernelInitializer: tf.initializers.glorotUniform({ seed }),
          })
          .apply(input) as SymbolicTensor;
        return { kind: 'vector', output, dim };
      },
    };
  };

  return {
    specificationVersion: 'v1',
    kind: 'encoder',
    id,
    modality: settings.modality ?? 'vector',
    packageName: '@omnifuse/core',
    description: 'test double: numbers in, a tanh dense layer out; counts its calls',
    create,
    calls,
    resetCalls() {
      for (const key of Object.keys(calls) as (keyof MockEncoderCalls)[]) calls[key] = 0;
    },
  };
}

function readNumbers(
  plugin: string,
  raw: unknown,
  dim: number,
  where: RecordContext,
  step: string,
): number[] {
  const fail = (message: string, found: unknown): never => {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message,
      plugin,
      record: where.record,
      field: where.field,
      step,
      expected: `a finite number or ${dim} finite numbers`,
      found,
    });
  };
  const list = typeof raw === 'number' ? Array.from({ length: dim }, (_, i) => raw / (i + 1)) : raw;
  if (!Array.isArray(list)) return fail('not a number or a list of numbers', typeof raw);
  if (list.length !== dim) return fail(`expected ${dim} numbers`, list.length);
  if (!list.every((x) => typeof x === 'number' && Number.isFinite(x)))
    return fail('not all finite numbers', list);
  return list as number[];
}
