import { open } from 'node:fs/promises';
import { lineError } from './manifest-format.js';
import { type RecordFileIndex, RecordFileIndexer } from './record-file.js';

const SCAN_CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Reads a JSON Lines file once, a chunk at a time, calling `onRecord` with each parsed object and
 * keeping only each line's byte range: memory is the index (24 bytes a record), not the records.
 * Blank lines are skipped; errors name the file and the 1-based line.
 */
export async function scanJsonLines(
  file: string,
  onRecord: (record: Record<string, unknown>, index: number) => void,
): Promise<RecordFileIndex> {
  const index = new RecordFileIndexer();
  let count = 0;
  let line = 0;
  const handle = await open(file, 'r');
  let stamp: RecordFileIndex['stamp'];
  try {
    const stats = await handle.stat();
    stamp = { size: stats.size, mtimeMs: stats.mtimeMs };
    // Bytes of a line begun in an earlier chunk, and the file offset where they start.
    let pending: Buffer = Buffer.alloc(0);
    let at = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(SCAN_CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, SCAN_CHUNK, null);
      const data =
        pending.length > 0
          ? Buffer.concat([pending, chunk.subarray(0, bytesRead)])
          : chunk.subarray(0, bytesRead);
      let from = 0;
      const last = bytesRead === 0;
      for (;;) {
        let newline = data.indexOf(NEWLINE, from);
        if (newline < 0) {
          if (!last || from >= data.length) break;
          newline = data.length;
        }
        line++;
        // The first line may open with a UTF-8 byte order mark.
        const begin = at + from === 0 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : from;
        const text = data.toString('utf8', begin, newline);
        from = newline + 1;
        if (text.trim() === '') continue;
        const record = parseJsonLine(text, file, line);
        index.add(at + begin, at + newline, line);
        onRecord(record, count);
        count++;
      }
      if (last) break;
      pending = Buffer.from(data.subarray(from));
      at += from;
    }
  } finally {
    await handle.close();
  }
  return index.finish(file, stamp);
}

/** One line of JSON Lines as its record; errors name the file and the line. */
export function parseJsonLine(text: string, file: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw lineError(file, line, `invalid JSON (${(cause as Error).message})`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw lineError(file, line, 'each line must be a JSON object');
  }
  return value as Record<string, unknown>;
}
