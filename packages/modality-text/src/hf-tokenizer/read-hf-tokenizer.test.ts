import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '@omnifuse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readHfTokenizer } from './read-hf-tokenizer.js';
import { bertTokenizerJson } from './test-tokenizers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-hf-tokenizer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readHfTokenizer', () => {
  it('reads a tokenizer.json file', async () => {
    const file = path.join(dir, 'tokenizer.json');
    writeFileSync(file, JSON.stringify(bertTokenizerJson()));
    const tokenizer = await readHfTokenizer(file);
    expect(tokenizer.source).toBe(file);
    expect(Array.from(tokenizer.encode('hello world').ids)).toEqual([2, 26, 27, 3]);
  });

  it('names the file when it is missing or broken', async () => {
    const missing = path.join(dir, 'missing.json');
    await expect(readHfTokenizer(missing)).rejects.toMatchObject({
      code: ErrorCode.InvalidOptions,
      file: missing,
    });
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...bertTokenizerJson(), pre_tokenizer: { type: 'Nope' } }));
    await expect(readHfTokenizer(broken)).rejects.toMatchObject({
      code: ErrorCode.InvalidOptions,
      file: broken,
      path: 'pre_tokenizer.type',
    });
  });
});
