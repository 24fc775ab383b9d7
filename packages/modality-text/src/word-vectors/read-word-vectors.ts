import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { createWordVectorParser, type RowOf, type WordVectorMatrix } from './parse-word-vectors.js';
import type { WordVectorFormat } from './word-vector-options.js';

export interface ReadWordVectorsOptions {
  readonly path: string;
  readonly format: WordVectorFormat;
  /** Rows of the matrix (the vocabulary size). */
  readonly size: number;
  readonly rowOf: RowOf;
}

export interface ReadWordVectors extends WordVectorMatrix {
  /** Hex sha256 of the whole file, computed while reading it. */
  readonly sha256: string;
}

const CHUNK = 1 << 20;

/** Reads a vectors file in 1 MiB chunks, keeping only the vocabulary's rows; hashes it on the way. */
export async function readWordVectors(options: ReadWordVectorsOptions): Promise<ReadWordVectors> {
  const reader = createChunkReader(options);
  try {
    for await (const chunk of createReadStream(options.path, { highWaterMark: CHUNK }))
      reader.chunk(chunk as Buffer);
  } catch (error) {
    throw readError(options.path, error);
  }
  return reader.end();
}

/**
 * The synchronous twin of {@link readWordVectors}, for an encoder's `build` (which tfjs model
 * building makes synchronous); the same chunked reading, so memory stays bounded too.
 */
export function readWordVectorsSync(options: ReadWordVectorsOptions): ReadWordVectors {
  const reader = createChunkReader(options);
  let fd: number;
  try {
    fd = openSync(options.path, 'r');
  } catch (error) {
    throw readError(options.path, error);
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK, null);
      if (read === 0) break;
      reader.chunk(buffer.subarray(0, read));
    }
  } catch (error) {
    throw readError(options.path, error);
  } finally {
    closeSync(fd);
  }
  return reader.end();
}

function createChunkReader(options: ReadWordVectorsOptions) {
  const parser = createWordVectorParser({ ...options, file: options.path });
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  const lines = (text: string) => {
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      parser.line(text.slice(start, end));
      start = end + 1;
    }
    return text.slice(start);
  };
  return {
    chunk(bytes: Uint8Array): void {
      hash.update(bytes);
      rest = lines(rest + decoder.decode(bytes, { stream: true }));
    },
    end(): ReadWordVectors {
      const last = rest + decoder.decode();
      if (last.length > 0) parser.line(last);
      return { ...parser.result(), sha256: hash.digest('hex') };
    },
  };
}

function readError(path: string, error: unknown): OmnifuseError {
  if (OmnifuseError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message:
      code === 'ENOENT'
        ? 'word vectors file not found'
        : `cannot read the word vectors file: ${String(error)}`,
    file: path,
    cause: error,
  });
}
