import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { loadHfTokenizer } from './load-hf-tokenizer.js';
import type { HfTokenizer } from './types.js';

/** Reads and loads a `tokenizer.json` file; a relative path resolves against the working directory. */
export async function readHfTokenizer(file: string): Promise<HfTokenizer> {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = await readFile(resolved, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'cannot read the tokenizer file',
      file: resolved,
      expected: 'a readable tokenizer.json',
      found: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : String(error),
      cause: error,
    });
  }
  return loadHfTokenizer(text, resolved);
}
