import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BACKEND_NAMES } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';

const PACKAGE = path.resolve(import.meta.dirname, '..');
const REPO = path.resolve(PACKAGE, '../..');

describe('README example', () => {
  const example = path.join(PACKAGE, 'examples/select-backend.mjs');

  it('is the code of examples/select-backend.mjs', () => {
    const readme = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
    const body = readFileSync(example, 'utf8').split('\n').slice(1).join('\n');
    expect(readme).toContain(`\`\`\`js\n${body}\`\`\``);
  });

  it('runs, selects a backend and computes on it', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', 'tsx', example],
      { cwd: REPO },
    );
    // Which backend wins depends on what this machine has installed; the shape does not.
    const chosen = /^backend: ([\w-]+) \(/m.exec(stdout)?.[1];
    expect(BACKEND_NAMES).toContain(chosen);
    expect(stdout).toContain('sum of squares: 14');
  });
});
