import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The version of an installed package as found from `fromDir` the way Node resolves packages
 * (nearest `node_modules/<name>` upwards), or null when it is not installed there.
 */
export function installedPackageVersion(name: string, fromDir: string = process.cwd()): string | null {
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      try {
        const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
        return typeof version === 'string' ? version : null;
      } catch {
        return null;
      }
    }
    if (path.dirname(dir) === dir) return null;
  }
}
