import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/select-and-compute.ts');
const REPO = path.resolve(import.meta.dirname, '../../../..');
const BANNER = /speed things up dramatically/;

/** Everything a fresh process prints when it selects `choice` and adds two tensors. */
async function run(choice: string): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(
    process.execPath,
    ['--conditions=@omnifuse/source', '--import', 'tsx', FIXTURE, choice],
    { cwd: REPO },
  );
}

describe("tfjs's install-tfjs-node banner", () => {
  it('is printed by tfjs on its own cpu backend (what the other tests rule out)', async () => {
    const { stdout, stderr } = await run('plain');
    expect(`${stdout}${stderr}`).toMatch(BANNER);
  });

  it.each(['cpu', 'auto'])('is not printed after selectBackend(%s)', async (choice) => {
    const { stdout, stderr } = await run(choice);
    expect(stderr).not.toMatch(BANNER);
    expect(stdout).not.toMatch(BANNER);
    expect(JSON.parse(stdout).sum).toEqual([4, 6]);
  });
});
