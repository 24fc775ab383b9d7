import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type { z } from 'zod';

/** Where a text came from, so an error names the record and field a user can find. */
export interface TextSource {
  record?: string | number;
  field?: string;
}

/** Stable tags for what is wrong with a raw text value; match on `details.problem`, not the message. */
export type TextProblem = 'not-text' | 'invalid-utf8' | 'too-long';

export function textInputError(
  problem: TextProblem,
  message: string,
  where: TextSource | undefined,
  extra: { expected?: unknown; found?: unknown; details?: Record<string, unknown>; cause?: unknown } = {},
): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message,
    ...(where?.record === undefined ? {} : { record: where.record }),
    ...(where?.field === undefined ? {} : { field: where.field }),
    expected: extra.expected,
    found: extra.found,
    details: { problem, ...extra.details },
    ...(extra.cause === undefined ? {} : { cause: extra.cause }),
  });
}

/**
 * Validates options with a zod schema (defaults filled in). The first issue becomes an `E_OPTIONS`
 * error naming the function and the option's path; every issue is in `details.issues`.
 */
export function parseTextOptions<Output>(
  fn: string,
  schema: z.ZodType<Output, unknown>,
  options: unknown,
): Output {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0]!;
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `${fn}: invalid options: ${first.message}`,
    path: first.path || undefined,
    details: { issues },
  });
}
