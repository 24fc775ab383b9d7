import { OmnifuseError } from '@omnifuse/core';

/** The OmnifuseError `run` throws; fails the test when it throws nothing or something else. */
export function thrown(run: () => unknown): OmnifuseError {
  try {
    run();
  } catch (error) {
    if (OmnifuseError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('did not throw');
}
