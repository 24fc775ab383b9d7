import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** A typed error for a bad argument to a signal function, naming the function and the option. */
export function optionError(
  fn: string,
  option: string,
  message: string,
  expected: unknown,
  found: unknown,
): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `${fn}: ${message}`,
    path: option,
    expected,
    found,
  });
}
