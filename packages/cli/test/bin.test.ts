import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(path.join(cliDir, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
};
const stub = path.join(cliDir, manifest.bin.omnifuse ?? 'missing');
const cwd = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-bin-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** Runs the bin as npm links it in a fresh clone (no dist/ yet: the source fallback is forced). */
function runStub(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [stub, ...args],
      { cwd, env: { ...process.env, OMNIFUSE_CLI_FROM_SOURCE: '1', NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('the omnifuse bin', () => {
  it('is a committed, executable file that the package publishes, so npm links it before any build', () => {
    expect(manifest.bin).toEqual({ omnifuse: './bin/omnifuse.mjs' });
    expect(manifest.files).toContain('bin');
    expect(readFileSync(stub, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(() => accessSync(stub, constants.X_OK)).not.toThrow();
  });

  it('runs the CLI from source when there is no build, from any folder', { timeout: 60_000 }, async () => {
    const result = await runStub(['--help']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^omnifuse \d+\.\d+\.\d+: train and use multimodal models/);
    expect(result.stdout).toContain('Usage: omnifuse <command> [options]');
  });

  it("passes the CLI's exit code on", { timeout: 60_000 }, async () => {
    const result = await runStub(['no-such-command']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-command');
  });
});
