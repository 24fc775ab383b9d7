import type { SymbolicTensor } from '@tensorflow/tfjs';
import { z } from 'zod';
import { customLayers } from '../compose/layers.js';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { FusionPluginV1, FusionV1 } from '../spec/fusion.js';

const ID = 'fusion:mock-concat';

/**
 * A weightless fusion for tests: each vector (sequences mean-pooled over their mask) times its
 * presence, concatenated. Real fusion methods live in their own packages; core's end-to-end tests
 * and the trainer's tests use this one.
 */
export function createMockConcatFusion(options: unknown = {}): FusionV1 {
  const result = z
    .object({})
    .strict()
    .safeParse(options ?? {});
  if (!result.success) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `${ID} takes no options`,
      plugin: ID,
      step: 'create',
      expected: {},
      found: options,
    });
  }
  return {
    specificationVersion: 'v1',
    id: ID,
    version: '1.0.0',
    options: {},
    build({ tf, inputs, name }) {
      if (inputs.length === 0) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidConfig,
          message: 'fusion needs at least one input',
          plugin: ID,
        });
      }
      const { MaskedMeanPooling } = customLayers(tf);
      const parts = inputs.map((input, i) => {
        const { encoded } = input;
        const vector =
          encoded.kind === 'vector'
            ? encoded.output
            : (new MaskedMeanPooling({ name: `${name}/pool_${i}` }).apply(
                encoded.mask ? [encoded.output, encoded.mask] : encoded.output,
              ) as SymbolicTensor);
        return tf.layers
          .multiply({ name: `${name}/presence_${i}` })
          .apply([vector, input.presence]) as SymbolicTensor;
      });
      const output =
        parts.length === 1
          ? parts[0]!
          : (tf.layers.concatenate({ name: `${name}/concat`, axis: -1 }).apply(parts) as SymbolicTensor);
      return { output, dim: inputs.reduce((sum, input) => sum + input.encoded.dim, 0) };
    },
  };
}

export const mockConcatFusionPlugin: FusionPluginV1 = {
  specificationVersion: 'v1',
  kind: 'fusion',
  id: ID,
  packageName: '@omnifuse/core',
  description: 'test double: presence-masked concatenation (sequences mean-pooled), no weights',
  create: createMockConcatFusion,
};
