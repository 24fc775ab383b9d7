import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * What `writeFileAtomic` writes: text or bytes; an async iterable of parts, written as they come
 * (output larger than memory); or a function given the open temporary file to fill as it likes
 * (positioned writes, e.g. rows arriving out of order).
 */
export type AtomicFileData =
  | string
  | Uint8Array
  | AsyncIterable<string | Uint8Array>
  | ((handle: FileHandle) => Promise<void>);

export interface WriteFileAtomicOptions {
  /**
   * fsync the temporary file before renaming it into place (default true). Without it a power cut
   * may leave an empty or partial file under the real name; a reader that checks lengths or
   * checksums can accept that and skip the cost.
   */
  readonly fsync?: boolean;
  /** Create the file's folder when missing (default true); a caller that made it already skips a syscall. */
  readonly mkdir?: boolean;
}

/**
 * Writes a file so that a reader (or a crash) never sees half of it: a temporary sibling, fsynced,
 * renamed over the old one; the folder is created when missing. Concurrent writers of one file, in
 * this process or others (containers on a shared volume often have the same pid), each get their own
 * temporary file, and the last rename wins whole. The file appears only once all of `data` is
 * written; on any failure the temporary file is removed and the old file, if any, stays.
 */
export async function writeFileAtomic(
  file: string,
  data: AtomicFileData,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  if (options.mkdir ?? true) await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
      else if (typeof data === 'function') await data(handle);
      else for await (const part of data) await handle.writeFile(part);
      if (options.fsync ?? true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
