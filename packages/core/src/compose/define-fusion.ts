import type { z } from 'zod';
import { parseEncoderOptions } from '../encoders/parse-options.js';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { FusedOutput, FusionBuildContext, FusionPluginV1, FusionV1 } from '../spec/fusion.js';
import { type FusionPresence, fusionPresence, modalityDropoutSchema } from './fusion-helpers.js';

/** The option `defineFusion` adds to every fusion's schema. */
export type ModalityDropoutShape = { modalityDropout: typeof modalityDropoutSchema };

/** A fusion's options schema as `defineFusion` parses it: the fusion's own, plus `modalityDropout`. */
export type FusionOptionsSchema<
  Shape extends z.core.$ZodShape,
  Config extends z.core.$ZodObjectConfig,
> = z.ZodObject<Shape & ModalityDropoutShape, Config>;

/** What a fusion defined with `defineFusion` builds from. */
export interface DefinedFusionBuildContext extends FusionBuildContext {
  /**
   * The inputs' presences after modality dropout (a `ModalityDropout` layer `${name}/modality_dropout`
   * while `modalityDropout > 0`): `columns[i]` is also `inputs[i].presence`; `stacked` is `[b, M]`.
   */
  readonly presence: FusionPresence;
}

export interface DefineFusionArgs<Shape extends z.core.$ZodShape, Config extends z.core.$ZodObjectConfig> {
  /** Plugin id, `fusion:name`. */
  readonly id: string;
  readonly version: string;
  readonly packageName?: string;
  readonly description?: string;
  /**
   * The fusion's own options (an object schema); `defineFusion` adds `modalityDropout`. `create`'s
   * options are parsed with both and defaults filled in; a failure is an `E_OPTIONS` error.
   */
  readonly schema: z.ZodObject<Shape, Config>;
  /**
   * The fusion's graph, with the parsed options; `context.inputs` is never empty here, and their
   * presences have been through modality dropout already.
   */
  build(
    context: DefinedFusionBuildContext,
    options: z.output<FusionOptionsSchema<Shape, Config>>,
  ): FusedOutput;
}

/** A configured fusion whose `options` keep their parsed type. */
export type DefinedFusionV1<Options> = FusionV1 & { readonly options: Options };

export interface DefinedFusion<Options, Schema extends z.ZodType = z.ZodType<Options>> {
  /** The plugin for a registry or a package's default export. */
  readonly plugin: FusionPluginV1;
  /** The options schema `create` parses with: the fusion's own plus `modalityDropout`. */
  readonly schema: Schema;
  /** Validates options (zod; defaults filled in) and returns the configured fusion. */
  create(options?: unknown): DefinedFusionV1<Options>;
}

/**
 * A fusion plugin from its id, options schema and `build`. Every fusion it makes takes the
 * `modalityDropout` option (`modalityDropoutSchema`) and applies it to the inputs' presences before
 * `build` runs, so the layer's name and saved format are the same for all of them. It parses options
 * into an `E_OPTIONS` error naming the plugin, and fails `build` with `E_CONFIG` when there is nothing
 * to fuse, so every fusion reports those two the same way.
 */
export function defineFusion<Shape extends z.core.$ZodShape, Config extends z.core.$ZodObjectConfig>(
  args: DefineFusionArgs<Shape, Config>,
): DefinedFusion<z.output<FusionOptionsSchema<Shape, Config>>, FusionOptionsSchema<Shape, Config>> {
  type Options = z.output<FusionOptionsSchema<Shape, Config>>;
  const { id, version } = args;
  if ('modalityDropout' in args.schema.shape) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: `fusion ${id}: defineFusion adds the modalityDropout option itself; remove it from the schema (and the fusion's own ModalityDropout layer)`,
      plugin: id,
      step: 'define',
    });
  }
  // zod cannot follow `safeExtend` through a generic shape; this is the type it returns. safeExtend
  // keeps the schema's refinements and its strictness.
  const own: z.ZodObject = args.schema;
  const schema = own.safeExtend({ modalityDropout: modalityDropoutSchema }) as FusionOptionsSchema<
    Shape,
    Config
  >;
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
        const { tf, inputs, name, seed } = context;
        const presence = fusionPresence(tf, inputs, {
          name,
          seed,
          modalityDropout: (parsed as { readonly modalityDropout: number }).modalityDropout,
        });
        return args.build(
          {
            ...context,
            inputs: inputs.map((input, i) => ({ ...input, presence: presence.columns[i]! })),
            presence,
          },
          parsed,
        );
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
  return { plugin, schema, create };
}
