import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PACKAGE = path.resolve(import.meta.dirname, '..');
const REPO = path.resolve(PACKAGE, '../..');
const EXAMPLE = path.join(PACKAGE, 'examples/quickstart.mjs');

describe('README quickstart', () => {
  it('is the code of examples/quickstart.mjs', () => {
    const readme = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
    const block = /```js\n(import \{ mkdtempSync[\s\S]*?)```/.exec(readme)?.[1];
    // The example file has two header comment lines the README leaves out.
    const body = readFileSync(EXAMPLE, 'utf8').split('\n').slice(2).join('\n');
    expect(block).toBe(body);
  });

  it('runs and predicts', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', 'tsx', EXAMPLE],
      { cwd: REPO, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toMatch(/test accuracy (0\.9|1\.0)/);
    expect(stdout).toContain('a north');
    expect(stdout).toContain('b east');
  });
});
