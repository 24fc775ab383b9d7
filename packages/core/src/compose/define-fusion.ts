import type { z } from 'zod';
import { parseEncoderOptions } from '../encoders/parse-options.js';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { FusedOutput, FusionBuildContext, FusionPluginV1, FusionV1 } from '../spec/fusion.js';

export interface DefineFusionArgs<Options extends Readonly<Record<string, unknown>>> {
  /** Plugin id, `fusion:name`. */
  readonly id: string;
  readonly version: string;
  readonly packageName?: string;
  readonly description?: string;
  /** Validates `create`'s options and fills in defaults; a failure is an `E_OPTIONS` error. */
  readonly schema: z.ZodType<Options, unknown>;
  /** The fusion's graph, with the parsed options; `context.inputs` is never empty here. */
  build(context: FusionBuildContext, options: Options): FusedOutput;
}

/** A configured fusion whose `options` keep their parsed type. */
export type DefinedFusionV1<Options> = FusionV1 & { readonly options: Options };

export interface DefinedFusion<Options> {
  /** The plugin for a registry or a package's default export. */
  readonly plugin: FusionPluginV1;
  /** Validates options (zod; defaults filled in) and returns the configured fusion. */
  create(options?: unknown): DefinedFusionV1<Options>;
}

/**
 * A fusion plugin from its id, options schema and `build`: parses options into an `E_OPTIONS`
 * error naming the plugin, and fails `build` with `E_CONFIG` when there is nothing to fuse, so every
 * fusion reports those two the same way.
 */
export function defineFusion<Options extends Readonly<Record<string, unknown>>>(
  args: DefineFusionArgs<Options>,
): DefinedFusion<Options> {
  const { id, version, schema } = args;
  const create = (options: unknown = {}): DefinedFusionV1<Options> => {
    const parsed = parseEncoderOptions(id, schema, options);
    return {
      specificationVersion: 'v1',
      id,
      version,
      options: parsed,
      build(context) {
        if (context.inputs.length === 0) {
          throw new OmnifuseError({
            code: ErrorCode.InvalidConfig,
            message: 'fusion needs at least one input',
            plugin: id,
            step: 'build',
            expected: 'one or more inputs',
            found: 0,
          });
        }
        return args.build(context, parsed);
      },
    };
  };
  const plugin: FusionPluginV1 = {
    specificationVersion: 'v1',
    kind: 'fusion',
    id,
    packageName: args.packageName,
    description: args.description,
    create,
  };
  return { plugin, create };
}
