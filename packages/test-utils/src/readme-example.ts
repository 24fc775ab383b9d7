import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';

export interface ReadmeExampleOptions {
  /** The package folder, holding `README.md` and the example. */
  readonly packageDir: string;
  /** The example's path in the package, e.g. `examples/quickstart.mjs`. */
  readonly example: string;
  /** Milliseconds the run may take; the vitest default when absent. */
  readonly timeout?: number;
}

/** The output block the README shows: a fenced block right after a `Prints:` line. */
const PRINTS_BLOCK = /Prints:\n\n```\n([\s\S]*?)```/;

/**
 * The environment without colour: nx (and CI services) set FORCE_COLOR, which makes `console.log`
 * colour numbers and booleans even into a pipe, while a README shows plain text. Both variables are
 * not set together, since Node warns that NO_COLOR is ignored when FORCE_COLOR is set.
 */
function plainOutputEnv(): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _forced, ...env } = process.env;
  return { ...env, NO_COLOR: '1' };
}

/**
 * Checks a package README's runnable example: the README's `js` block is the example file (less its
 * first line, a header comment), and running the file from the repository root, with workspace
 * packages resolved from source, prints exactly the README's `Prints:` block.
 */
export function describeReadmeExample({ packageDir, example, timeout }: ReadmeExampleOptions): void {
  const file = path.join(packageDir, example);
  const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');

  describe('README example', () => {
    it(`is the code of ${example}`, () => {
      const body = readFileSync(file, 'utf8').split('\n').slice(1).join('\n');
      expect(readme).toContain(`\`\`\`js\n${body}\`\`\``);
    });

    it('prints what the README shows', timeout === undefined ? {} : { timeout }, async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--conditions=@omnifuse/source', '--import', 'tsx', file],
        { cwd: path.resolve(packageDir, '../..'), env: plainOutputEnv() },
      );
      expect(stripVTControlCharacters(stdout)).toBe(PRINTS_BLOCK.exec(readme)?.[1]);
    });
  });
}
