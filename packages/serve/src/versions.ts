import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const PACKAGES = ['@omnifuse/core', '@omnifuse/trainer', '@omnifuse/serve', '@tensorflow/tfjs'] as const;

/** Installed versions of the omnifuse packages and tfjs, resolved the way Node would from `fromDir`. */
export function installedVersions(fromDir: string): Record<string, string | null> {
  const require = createRequire(path.join(path.resolve(fromDir), 'noop.js'));
  const versions: Record<string, string | null> = {};
  for (const name of PACKAGES) {
    try {
      const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as {
        version?: string;
      };
      versions[name] = manifest.version ?? null;
    } catch {
      versions[name] = null;
    }
  }
  return versions;
}
