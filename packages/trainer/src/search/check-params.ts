import { type ModelSpec, modelSpecSchema, OmnifuseError, type Registry } from '@omnifuse/core';
import { applyParams, notAPath, paramPathParts, probeValue, type SearchSpace } from './space.js';

/**
 * Checks that every parameter of the space names a place in the spec, before any trial runs: a
 * path through a number or past an array's end, a key the spec's strict schema does not know
 * (`training.learningRat`), or an option the encoder or fusion plugin does not take
 * (`inputs.0.options.filterz`) is an `E_OPTIONS` error naming the parameter. A value that is merely
 * out of range is left to the trial it belongs to, which then fails with its own message.
 */
export function checkParamPaths(spec: ModelSpec, space: SearchSpace, registry: Registry): void {
  for (const [param, dimension] of Object.entries(space)) {
    const parts = paramPathParts(param);
    const probe = applyParams(spec, { [param]: probeValue(dimension) });
    const parsed = modelSpecSchema.safeParse(probe);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        if (issue.code !== 'unrecognized_keys') continue;
        const at = issue.path.length;
        const prefix = issue.path.every((part, i) => String(part) === String(parts[i]));
        if (prefix && at < parts.length && issue.keys.includes(String(parts[at]))) {
          throw notAPath(param, parts.slice(0, at + 1));
        }
      }
      continue;
    }
    const option = pluginOption(parsed.data, parts, registry);
    if (option && rejectsKey(option.create, option.key)) throw notAPath(param, parts.slice(0, option.depth));
  }
}

/** The plugin whose options a path points into, and the option's top-level key. */
function pluginOption(
  spec: ModelSpec,
  parts: readonly (string | number)[],
  registry: Registry,
): { create: () => unknown; key: string; depth: number } | null {
  try {
    if (parts[0] === 'inputs' && typeof parts[1] === 'number' && parts[2] === 'options' && parts.length > 3) {
      const input = spec.inputs[parts[1]]!;
      const plugin = registry.encoder(input.encoder);
      return { create: () => plugin.create(input.options), key: String(parts[3]), depth: 4 };
    }
    if (parts[0] === 'fusion' && parts[1] === 'options' && parts.length > 2 && spec.fusion) {
      const fusion = spec.fusion;
      const plugin = registry.fusion(fusion.type);
      return { create: () => plugin.create(fusion.options), key: String(parts[2]), depth: 3 };
    }
  } catch {
    // A plugin that is not in the registry: the trial that needs it fails, saying which.
  }
  return null;
}

/** Whether creating the plugin fails because it does not know the option `key`. */
function rejectsKey(create: () => unknown, key: string): boolean {
  try {
    create();
    return false;
  } catch (error) {
    if (!OmnifuseError.isInstance(error)) return false;
    const issues = (error.details?.issues as { message?: string }[] | undefined) ?? [
      { message: error.message },
    ];
    return issues.some(
      (issue) => /unrecognized key/i.test(issue.message ?? '') && (issue.message ?? '').includes(`"${key}"`),
    );
  }
}
