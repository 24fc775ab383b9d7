import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PACKAGE = path.resolve(import.meta.dirname, '..');
const REPO = path.resolve(PACKAGE, '../..');
const EXAMPLE = path.join(PACKAGE, 'examples/tiny-cnn.mjs');

describe('README example', () => {
  it('is the code of examples/tiny-cnn.mjs', () => {
    const readme = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
    const block = /```js\n(import \{ mkdtempSync[\s\S]*?)```/.exec(readme)?.[1];
    // The example file has two header comment lines the README leaves out.
    const body = readFileSync(EXAMPLE, 'utf8').split('\n').slice(2).join('\n');
    expect(block).toBe(body);
  });

  it('runs and prints the features the weights imply', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', 'tsx', EXAMPLE],
      { cwd: REPO },
    );
    expect(stdout).toContain('image: float32 [batch, 1, 8, 8]');
    expect(stdout).toContain('image 0: [0.5, 0]');
    expect(stdout).toContain('image 1: [0, 0.25]');
    expect(stdout).toContain('E_INPUT: expected [batch, 1, 8, 8], found [1, 1, 7, 7]');
  });
});
