import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './write-file-atomic.js';

describe('writeFileAtomic', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-atomic-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('replaces a file whole, creates missing folders, and leaves no temporary file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a', 'b', 'out.json');
    await writeFileAtomic(file, '{"v":1}\n');
    await writeFileAtomic(file, new Uint8Array([0x7b, 0x7d]));
    expect(readFileSync(file, 'utf8')).toBe('{}');
    expect(readdirSync(path.dirname(file))).toEqual(['out.json']);
  });

  it('lets concurrent writers of one file all succeed, the file whole from one of them', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'shared.txt');
    const texts = Array.from({ length: 12 }, (_, i) => `${String(i).repeat(50_000)}\n`);
    await Promise.all(texts.map((text) => writeFileAtomic(file, text)));
    expect(texts).toContain(readFileSync(file, 'utf8'));
    expect(readdirSync(dir)).toEqual(['shared.txt']);
  });

  it('keeps the old file and cleans up when the rename fails', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'taken');
    // A non-empty folder at the target path: rename of a file over it fails.
    writeFileSync(path.join(dir, 'old.txt'), 'old');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['old.txt', 'taken']);
    expect(readFileSync(path.join(dir, 'old.txt'), 'utf8')).toBe('old');
  });

  it('writes parts from an async iterable as they come; a failure midway keeps the old file whole', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'lines.jsonl');
    async function* parts(fail: boolean) {
      for (let i = 0; i < 3; i++) {
        yield i % 2 === 0 ? `{"i":${i}}\n` : new TextEncoder().encode(`{"i":${i}}\n`);
        if (fail && i === 1) throw new Error('stopped midway');
      }
    }
    await writeFileAtomic(file, parts(false));
    expect(readFileSync(file, 'utf8')).toBe('{"i":0}\n{"i":1}\n{"i":2}\n');
    await expect(writeFileAtomic(file, parts(true))).rejects.toThrow('stopped midway');
    expect(readFileSync(file, 'utf8')).toBe('{"i":0}\n{"i":1}\n{"i":2}\n');
    expect(readdirSync(dir)).toEqual(['lines.jsonl']);
  });

  it('hands a function the open temporary file for positioned writes; a throw keeps the old file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'rows.bin');
    await writeFileAtomic(file, async (handle) => {
      // Rows arrive out of order, each written at its own offset.
      await handle.write(new Uint8Array([3, 4]), 0, 2, 2);
      await handle.write(new Uint8Array([1, 2]), 0, 2, 0);
    });
    expect([...readFileSync(file)]).toEqual([1, 2, 3, 4]);
    await expect(
      writeFileAtomic(file, async () => {
        throw new Error('no rows');
      }),
    ).rejects.toThrow('no rows');
    expect([...readFileSync(file)]).toEqual([1, 2, 3, 4]);
    expect(readdirSync(dir)).toEqual(['rows.bin']);
  });

  it('can skip the fsync and the folder creation', async () => {
    const dir = tempDir();
    await writeFileAtomic(path.join(dir, 'quick.txt'), 'q', { fsync: false, mkdir: false });
    expect(readFileSync(path.join(dir, 'quick.txt'), 'utf8')).toBe('q');
    await expect(writeFileAtomic(path.join(dir, 'missing', 'x.txt'), 'x', { mkdir: false })).rejects.toThrow(
      /ENOENT/,
    );
    expect(readdirSync(dir)).toEqual(['quick.txt']);
  });
});
