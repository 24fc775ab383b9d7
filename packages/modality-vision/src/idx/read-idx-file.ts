import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { type IdxTensor, parseIdx } from './parse-idx.js';

const gunzipAsync = promisify(gunzip);

/**
 * Reads an IDX file such as MNIST's `train-images-idx3-ubyte.gz`, gunzipping it when it is gzip
 * (by its first bytes, whatever its name). Unreadable, corrupt or truncated files are `E_INPUT`
 * errors naming the file.
 */
export async function readIdxFile(file: string): Promise<IdxTensor> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message:
        code === 'ENOENT' ? 'IDX file not found' : `cannot read IDX file (${(cause as Error).message})`,
      file,
      cause,
    });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (cause) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: `truncated or corrupt gzip data (${(cause as Error).message})`,
        file,
        cause,
      });
    }
  }
  return parseIdx(bytes, { file });
}
