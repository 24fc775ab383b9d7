import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointFile, listCheckpoints } from './checkpoints.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const SCRIPT = path.join(import.meta.dirname, 'fixtures/train-with-checkpoints.ts');
const work = mkdtempSync(path.join(tmpdir(), 'omnifuse-resume-'));

function start(
  dir: string,
  ...flags: string[]
): { child: ChildProcess; done: Promise<number | null>; stderr: () => string } {
  const child = spawn(
    process.execPath,
    ['--conditions=@omnifuse/source', '--import', 'tsx', SCRIPT, dir, path.join(dir, 'out.json'), ...flags],
    { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) console.error(stderr);
      resolve(code);
    });
  });
  return { child, done, stderr: () => stderr };
}

const result = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8'));

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('checkpoints and resume', () => {
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('a run killed with SIGKILL mid-epoch and resumed ends exactly like an uninterrupted one', async () => {
    const full = path.join(work, 'full');
    const killed = path.join(work, 'killed');
    const uninterrupted = start(full);
    // Stalls in epoch 3 (index 2), batch 10 of 23, after the second checkpoint was written.
    const doomed = start(killed, '--stall-at', '2:10');
    await until(() => existsSync(path.join(killed, 'out.json.stalled')));
    const checkpoints = path.join(killed, 'bundle/checkpoints');
    expect((await listCheckpoints(checkpoints)).map((c) => c.epochsDone)).toEqual([1, 2]);
    doomed.child.kill('SIGKILL');
    expect(await doomed.done).toBeNull();
    expect(existsSync(path.join(killed, 'out.json'))).toBe(false);

    const resumed = start(killed, '--resume');
    expect(await resumed.done).toBe(0);
    expect(await uninterrupted.done).toBe(0);
    const expected = result(full);
    expect(expected.epochs).toHaveLength(5);
    expect(result(killed)).toEqual(expected);
    // Bit for bit: the weights' hash, and every metric as the same double.
    expect(result(killed).weights).toBe(expected.weights);
    // The bundle replaced the default checkpoint folder.
    expect(existsSync(checkpoints)).toBe(false);
  });

  it('skips a damaged last checkpoint for the one before, and still ends the same', async () => {
    const dir = path.join(work, 'damaged');
    const doomed = start(dir, '--stall-at', '2:3');
    await until(() => existsSync(path.join(dir, 'out.json.stalled')));
    doomed.child.kill('SIGKILL');
    await doomed.done;
    const checkpoints = path.join(dir, 'bundle/checkpoints');
    const last = checkpointFile(checkpoints, 2);
    // As if the disk lost the end of the file.
    truncateSync(last, Math.floor(readFileSync(last).byteLength / 2));
    const resumed = start(dir, '--resume');
    expect(await resumed.done).toBe(0);
    expect(resumed.stderr()).toMatch(/skipping checkpoint .*epoch-0002\.ckpt: checksum mismatch/);
    expect(result(dir)).toEqual(result(path.join(work, 'full')));
  });

  it('streaming from packed files, a run killed with SIGKILL and resumed equals the uninterrupted in-memory run', async () => {
    const full = path.join(work, 'full-in-memory');
    const killed = path.join(work, 'killed-streaming');
    const uninterrupted = start(full);
    const doomed = start(killed, '--stall-at', '2:10', '--streaming');
    await until(() => existsSync(path.join(killed, 'out.json.stalled')));
    doomed.child.kill('SIGKILL');
    expect(await doomed.done).toBeNull();
    const resumed = start(killed, '--resume', '--streaming');
    expect(await resumed.done).toBe(0);
    expect(await uninterrupted.done).toBe(0);
    expect(result(full).epochs).toHaveLength(5);
    expect(result(killed)).toEqual(result(full));
  });

  it('with 2 data-parallel workers, a run killed with SIGKILL and resumed equals an uninterrupted 2-worker run', async () => {
    const full = path.join(work, 'full-2');
    const killed = path.join(work, 'killed-2');
    const uninterrupted = start(full, '--workers', '2');
    const doomed = start(killed, '--stall-at', '2:10', '--workers', '2');
    await until(() => existsSync(path.join(killed, 'out.json.stalled')));
    doomed.child.kill('SIGKILL');
    expect(await doomed.done).toBeNull();
    const resumed = start(killed, '--resume', '--workers', '2');
    expect(await resumed.done).toBe(0);
    expect(await uninterrupted.done).toBe(0);
    const expected = result(full);
    expect(expected.epochs).toHaveLength(5);
    // Bit for bit, dropout masks drawn in the workers included.
    expect(result(killed)).toEqual(expected);
  });
});
