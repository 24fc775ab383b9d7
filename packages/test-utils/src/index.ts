import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';

/** `../shared/data` beside the repository: real data sets for tests, never copied into the repo. */
export const SHARED_DATA = path.resolve(import.meta.dirname, '../../../../shared/data');

/** Absolute path of a file or folder under the shared data. */
export function sharedDataPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}

export function hasSharedData(...parts: string[]): boolean {
  return existsSync(sharedDataPath(...parts));
}

/**
 * A `describe` block that needs `../shared/data/<parts>`. Without the data it is skipped on a
 * developer's clone, but fails under CI (`CI=true`), where the data is always laid out: a silently
 * skipped real-data test would otherwise pass for the wrong reason. The body runs only when the
 * data exists, so it may read files while collecting tests.
 */
export function describeWithData(parts: string | string[], name: string, body: () => void): void {
  const list = Array.isArray(parts) ? parts : [parts];
  if (hasSharedData(...list)) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('has its real data', () => {
        throw new Error(`missing ${sharedDataPath(...list)}: CI must provide ../shared/data`);
      });
    });
  } else {
    describe.skip(`${name} (needs ../shared/data/${list.join('/')})`, () => {
      it.skip('needs the shared data', () => {});
    });
  }
}
