import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { RecordSource } from './record-source.js';
import type { DataRecord } from './types.js';

/** Where each record lies in a manifest file (byte offsets), and the 1-based line it starts on. */
export interface RecordFileIndex {
  readonly file: string;
  readonly size: number;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  readonly lines: Float64Array;
  /** The file's size and modification time when indexed: a later read checks them. */
  readonly stamp: { readonly size: number; readonly mtimeMs: number };
}

/** Collects record byte ranges while a file is scanned (24 bytes a record). */
export class RecordFileIndexer {
  private starts = new Float64Array(1024);
  private ends = new Float64Array(1024);
  private lines = new Float64Array(1024);
  private count = 0;

  add(start: number, end: number, line: number): void {
    if (this.count === this.starts.length) {
      this.starts = grown(this.starts);
      this.ends = grown(this.ends);
      this.lines = grown(this.lines);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.lines[this.count] = line;
    this.count++;
  }

  finish(file: string, stamp: RecordFileIndex['stamp']): RecordFileIndex {
    return {
      file,
      size: this.count,
      starts: this.starts.slice(0, this.count),
      ends: this.ends.slice(0, this.count),
      lines: this.lines.slice(0, this.count),
      stamp,
    };
  }
}

function grown(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const next = new Float64Array(array.length * 2);
  next.set(array);
  return next;
}

/** Bytes read at once when records are read in order; a record read out of order is read alone. */
const WINDOW = 1 << 20;

/**
 * Records of an indexed manifest file, read from disk when asked for: in-order reads share one
 * window of the file (one read per MiB), others read their own bytes. The last record read is kept,
 * since callers often read several fields of one record in a row. `parse` turns a record's text
 * into its object; `coerce` applies field types. A file changed after it was indexed (size or
 * modification time) is an error naming the line, not a wrong record.
 */
export function fileRecordSource(
  index: RecordFileIndex,
  parse: (text: string, line: number) => Record<string, unknown>,
  coerce: (record: DataRecord) => DataRecord = (record) => record,
): RecordSource {
  let window: Buffer = Buffer.alloc(0);
  let windowStart = 0;
  let lastIndex = -1;
  let lastRecord: DataRecord | undefined;
  const changed = (i: number, cause?: unknown) =>
    new OmnifuseError({
      code: ErrorCode.Manifest,
      message: 'the manifest changed after it was loaded; load it again',
      file: index.file,
      record: i,
      path: `line ${index.lines[i]}`,
      cause,
    });
  const read = (i: number, start: number, length: number): Buffer => {
    const buffer = Buffer.allocUnsafe(length);
    let fd: number;
    try {
      fd = openSync(index.file, 'r');
    } catch (cause) {
      throw changed(i, cause);
    }
    try {
      const stats = fstatSync(fd);
      if (stats.size !== index.stamp.size || stats.mtimeMs !== index.stamp.mtimeMs) throw changed(i);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buffer, done, length - done, start + done);
        if (n === 0) break;
        done += n;
      }
      return buffer.subarray(0, done);
    } finally {
      closeSync(fd);
    }
  };
  return {
    size: index.size,
    get(i) {
      if (i === lastIndex && lastRecord !== undefined) return lastRecord;
      const start = index.starts[i]!;
      const end = index.ends[i]!;
      let text: string;
      if (start >= windowStart && end <= windowStart + window.length) {
        text = window.toString('utf8', start - windowStart, end - windowStart);
      } else if (i > lastIndex && i - lastIndex <= 64) {
        window = read(i, start, Math.max(WINDOW, end - start));
        windowStart = start;
        text = window.toString('utf8', 0, Math.min(window.length, end - start));
      } else {
        text = read(i, start, end - start).toString('utf8');
      }
      let record: Record<string, unknown>;
      try {
        record = parse(text, index.lines[i]!);
      } catch (cause) {
        throw changed(i, cause);
      }
      lastIndex = i;
      lastRecord = coerce(record);
      return lastRecord;
    },
  };
}
