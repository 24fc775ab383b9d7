import type { z } from 'zod';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { formatPath } from '../model-spec.js';
import type { FeatureSpec } from '../spec/feature.js';

/**
 * Validates a plugin's options with its zod schema (defaults filled in). The first issue becomes an
 * `E_OPTIONS` error naming the plugin and the option's path; every issue is in `details.issues`.
 */
export function parseEncoderOptions<Options>(
  id: string,
  schema: z.ZodType<Options, unknown>,
  options: unknown,
): Options {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const first = issues[0]!;
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `invalid options for ${id}: ${first.message}`,
    plugin: id,
    step: 'create',
    path: first.path,
    details: { issues },
  });
}

/** A fresh plain-object copy of a feature spec (safe to store in JSON state and to hand out). */
export function copyFeatureSpec(spec: FeatureSpec): FeatureSpec {
  return { dtype: spec.dtype, shape: [...spec.shape] };
}
