import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { ManifestFormat } from './types.js';

export interface ParseManifestOptions {
  /** Overrides the format the file extension implies (`.jsonl`/`.ndjson`, `.json`, `.csv`, `.tsv`/`.tab`). */
  readonly format?: ManifestFormat;
  /** CSV/TSV: column names for a file without a header line (its first line is then data). */
  readonly columns?: readonly string[];
  /** CSV/TSV field delimiter; `,` for CSV and a tab for TSV by default. */
  readonly delimiter?: string;
  /**
   * CSV/TSV quote character, or `false` for none. CSV defaults to `"` (RFC 4180); TSV defaults to
   * none, as in the IANA text/tab-separated-values format, so quotes inside sentences stay text.
   */
  readonly quote?: string | false;
}

const EXTENSIONS: Record<string, ManifestFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
};

export function manifestFormatOf(file: string, format?: ManifestFormat): ManifestFormat {
  if (format !== undefined) {
    if (!['jsonl', 'json', 'csv', 'tsv'].includes(format)) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: 'unknown manifest format',
        file,
        expected: ['jsonl', 'json', 'csv', 'tsv'],
        found: format,
      });
    }
    return format;
  }
  const found = EXTENSIONS[path.extname(file).toLowerCase()];
  if (found) return found;
  throw new OmnifuseError({
    code: ErrorCode.Manifest,
    message: `cannot tell the manifest format from the extension "${path.extname(file)}"; pass { format }`,
    file,
    expected: Object.keys(EXTENSIONS),
  });
}

/** An `E_MANIFEST` error at a 1-based line of a manifest file. */
export function lineError(file: string, line: number, message: string, cause?: unknown): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.Manifest,
    message: `line ${line}: ${message}`,
    file,
    path: `line ${line}`,
    details: { line },
    cause,
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses manifest text into plain objects; errors name the file and the 1-based line. */
export function parseManifestText(
  text: string,
  file: string,
  options: ParseManifestOptions = {},
): Record<string, unknown>[] {
  const format = manifestFormatOf(file, options.format);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (format === 'jsonl') return parseJsonLines(body, file);
  if (format === 'json') return parseJsonArray(body, file);
  return parseDelimited(body, file, format, options);
}

function parseJsonLines(text: string, file: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  // Line by line without an array of every line: each line's string dies young, so a large
  // manifest's peak memory is its text and its records, not a second copy of the text.
  for (let start = 0, i = 0; start < text.length; i++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw lineError(file, i + 1, `invalid JSON (${(cause as Error).message})`, cause);
    }
    if (!isPlainObject(value)) throw lineError(file, i + 1, 'each line must be a JSON object');
    records.push(value);
  }
  return records;
}

function parseJsonArray(text: string, file: string): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new OmnifuseError({
      code: ErrorCode.Manifest,
      message: `invalid JSON (${(cause as Error).message})`,
      file,
      cause,
    });
  }
  if (!Array.isArray(value)) {
    throw new OmnifuseError({
      code: ErrorCode.Manifest,
      message: 'a .json manifest must be an array of objects',
      file,
    });
  }
  value.forEach((item, index) => {
    if (!isPlainObject(item)) {
      throw new OmnifuseError({
        code: ErrorCode.Manifest,
        message: `item ${index} is not an object`,
        file,
        path: `[${index}]`,
      });
    }
  });
  return value;
}

export function checkColumns(names: readonly string[], file: string): string[] {
  const seen = new Set<string>();
  return names.map((raw, i) => {
    const name = String(raw).trim();
    if (name === '') throw lineError(file, 1, `column ${i + 1} has no name`);
    if (seen.has(name)) throw lineError(file, 1, `duplicate column "${name}"`);
    seen.add(name);
    return name;
  });
}

function parseDelimited(
  text: string,
  file: string,
  format: 'csv' | 'tsv',
  options: ParseManifestOptions,
): Record<string, unknown>[] {
  try {
    return parseCsv(text, {
      ...delimitedSyntax(format, options),
      columns: options.columns
        ? checkColumns(options.columns, file)
        : (header: string[]) => checkColumns(header, file),
    }) as Record<string, unknown>[];
  } catch (cause) {
    throw delimitedError(file, cause);
  }
}

/** The csv-parse options for a CSV/TSV manifest's syntax (delimiter, quote, BOM, blank lines). */
export function delimitedSyntax(
  format: 'csv' | 'tsv',
  options: ParseManifestOptions,
): { delimiter: string; quote: string | null; bom: true; skip_empty_lines: true } {
  const quote = options.quote ?? (format === 'csv' ? '"' : false);
  return {
    delimiter: options.delimiter ?? (format === 'csv' ? ',' : '\t'),
    quote: quote === false ? null : quote,
    bom: true,
    skip_empty_lines: true,
  };
}

/** A csv-parse error as an `E_MANIFEST` error naming the file and line. */
export function delimitedError(file: string, cause: unknown): OmnifuseError {
  if (OmnifuseError.isInstance(cause)) return cause;
  const line = (cause as { lines?: number }).lines ?? 0;
  return lineError(file, line, (cause as Error).message.replace(/ (at|on) line \d+/, ''), cause);
}
