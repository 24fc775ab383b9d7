import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Every example in examples/ is in the README verbatim, followed by what it prints, and running it
// from the repository root (workspace packages from source) prints exactly that.
const PACKAGE = path.resolve(import.meta.dirname, '..');
const README = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
const EXAMPLES = readdirSync(path.join(PACKAGE, 'examples')).filter((f) => f.endsWith('.mjs'));

describe('README examples', () => {
  it('has one README section per example', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(14);
    expect(README.match(/^Prints:$/gm)).toHaveLength(EXAMPLES.length);
  });

  for (const example of EXAMPLES) {
    it(`${example} is in the README and prints what the README shows`, { timeout: 120_000 }, async () => {
      const file = path.join(PACKAGE, 'examples', example);
      const code = readFileSync(file, 'utf8');
      const at = README.indexOf(`\`\`\`js\n${code}\`\`\`\n`);
      expect(at, `${example} is not in the README verbatim`).toBeGreaterThanOrEqual(0);
      const after = README.slice(at + code.length + 10);
      const printed = /^\nPrints:\n\n```\n([\s\S]*?)```/.exec(after)?.[1];
      expect(printed, `no Prints: block after ${example}`).toBeDefined();
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--conditions=@omnifuse/source', '--import', 'tsx', file],
        { cwd: path.resolve(PACKAGE, '../..') },
      );
      expect(stdout).toBe(printed);
    });
  }
});
