import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PACKAGE = path.resolve(import.meta.dirname, '..');
const EXAMPLE = path.join(PACKAGE, 'examples/shapes.mjs');

describe('README example', () => {
  it('is the code of examples/shapes.mjs', () => {
    const readme = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
    const body = readFileSync(EXAMPLE, 'utf8').split('\n').slice(1).join('\n');
    expect(readme).toContain(`\`\`\`js\n${body}\`\`\``);
  });

  it('trains on the image files it writes and predicts the new one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-shapes-'));
    try {
      // The spec loads '@omnifuse/modality-vision' by package name: the built package (npm test builds first).
      const { stdout } = await promisify(execFile)(process.execPath, [EXAMPLE, dir], {
        cwd: path.resolve(PACKAGE, '../..'),
      });
      const accuracy = Number(/test accuracy ([\d.]+)/.exec(stdout)?.[1]);
      expect(accuracy).toBeGreaterThanOrEqual(0.75);
      expect(stdout).toMatch(/new\.png: circle/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
