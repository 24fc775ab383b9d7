import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import {
  checkColumns,
  delimitedError,
  delimitedSyntax,
  type ParseManifestOptions,
} from './manifest-format.js';
import { type RecordFileIndex, RecordFileIndexer } from './record-file.js';

/**
 * Reads a CSV/TSV file once as a stream, calling `onRecord` with each record and keeping only its
 * byte range (csv-parse's byte count at each record's end): memory is the index, not the records.
 * Returns the index and the column names, which {@link parseDelimitedRecord} needs to read a record.
 */
export async function scanDelimited(
  file: string,
  format: 'csv' | 'tsv',
  options: ParseManifestOptions,
  onRecord: (record: Record<string, unknown>, index: number) => void,
): Promise<{ index: RecordFileIndex; columns: string[] }> {
  const stats = await stat(file);
  const indexer = new RecordFileIndexer();
  let columns: string[] = options.columns ? checkColumns(options.columns, file) : [];
  const parser = createReadStream(file).pipe(
    parse({
      ...delimitedSyntax(format, options),
      columns: options.columns
        ? columns
        : (header: string[]) => {
            columns = checkColumns(header, file);
            return columns;
          },
      info: true,
    }),
  );
  let end = 0;
  let count = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, unknown>;
      info: { bytes: number; lines: number };
    }>) {
      // A record's bytes run from the previous one's end (blank lines and, for the first, the
      // header included: reading takes the last row of them).
      indexer.add(end, info.bytes, info.lines);
      end = info.bytes;
      onRecord(record, count++);
    }
  } catch (cause) {
    throw delimitedError(file, cause);
  }
  return { index: indexer.finish(file, { size: stats.size, mtimeMs: stats.mtimeMs }), columns };
}

/** One record of a scanned CSV/TSV file from its bytes (see {@link scanDelimited}). */
export function parseDelimitedRecord(
  text: string,
  format: 'csv' | 'tsv',
  options: ParseManifestOptions,
  columns: readonly string[],
): Record<string, unknown> {
  const rows = parseSync(text, { ...delimitedSyntax(format, options), columns: false }) as string[][];
  const row = rows.at(-1);
  if (row === undefined || row.length !== columns.length) {
    throw new Error(`expected a record of ${columns.length} fields`);
  }
  const record: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) record[columns[i]!] = row[i];
  return record;
}
