import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type { z } from 'zod';

/**
 * Errors and option parsing shared by the record- and stream-level tools (align, match, fuse,
 * quality); `step` is the function's name so a user knows which call refused the input.
 */
export function inputError(
  step: string,
  message: string,
  where: { record?: string | number; field?: string; expected?: unknown; found?: unknown } = {},
): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message,
    plugin: '@omnifuse/data',
    step,
    ...where,
  });
}

/** Parses options with a zod schema; the first issue becomes an `E_OPTIONS` error naming the step. */
export function parseOptions<T>(step: string, schema: z.ZodType<T>, options: unknown): T {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.join('.');
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `${step}: ${path || 'options'}: ${issue.message}`,
    plugin: '@omnifuse/data',
    step,
    path,
  });
}
