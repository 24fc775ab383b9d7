import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PACKAGE = path.resolve(import.meta.dirname, '..');
const EXAMPLE = path.join(PACKAGE, 'examples/quickstart.mjs');
const README = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');

describe('README example', () => {
  it('is the code of examples/quickstart.mjs', () => {
    const body = readFileSync(EXAMPLE, 'utf8').split('\n').slice(1).join('\n');
    expect(README).toContain(`\`\`\`js\n${body}\`\`\``);
  });

  it('prints what the README shows', { timeout: 120_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', 'tsx', EXAMPLE],
      { cwd: path.resolve(PACKAGE, '../..') },
    );
    expect(stdout).toBe(/Prints:\n\n```\n([\s\S]*?)```/.exec(README)?.[1]);
  });
});
