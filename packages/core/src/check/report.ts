import type { RecordFailure } from '../cache/preprocess-field.js';
import type { SplitName } from '../dataset/split.js';
import type { Dataset } from '../dataset/types.js';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { DataCheckReport, DataFinding } from './check-dataset.js';

/**
 * The report with records that failed later, while preprocessing, added as `preprocess-failed`
 * errors (`rows` maps each failure's index in `dataset` to its row in the report's dataset).
 */
export function withPreprocessFailures(
  report: DataCheckReport,
  failures: readonly RecordFailure[],
  dataset: Dataset,
  split?: SplitName,
  rows?: readonly number[],
): DataCheckReport {
  if (failures.length === 0) return report;
  const added: DataFinding[] = failures.map((failure) => ({
    severity: 'error',
    code: 'preprocess-failed',
    reason: `${failure.error.plugin ? `${failure.error.plugin}: ` : ''}${failure.reason}`,
    record: dataset.ids[failure.index]!,
    row: rows ? rows[failure.index]! : failure.index,
    split,
    field: failure.field,
  }));
  const findings = [...report.findings, ...added].sort((a, b) => a.row - b.row);
  const invalid = new Map<number, string | number>();
  for (const finding of findings) if (finding.severity === 'error') invalid.set(finding.row, finding.record);
  const invalidRows = [...invalid.keys()].sort((a, b) => a - b);
  const byCode = { ...report.byCode };
  byCode['preprocess-failed'] = {
    severity: 'error',
    count: (byCode['preprocess-failed']?.count ?? 0) + added.length,
  };
  return {
    ...report,
    valid: report.records - invalidRows.length,
    invalid: invalidRows.length,
    errors: report.errors + added.length,
    byCode,
    invalidRows,
    invalidRecords: invalidRows.map((row) => invalid.get(row)!),
    findings,
  };
}

/** The `E_INVALID_DATA` error for a report with errors under `onInvalid: "fail"`; the report is in `details.report`. */
export function invalidDataError(report: DataCheckReport): OmnifuseError {
  const first = report.findings.find((f) => f.severity === 'error');
  return new OmnifuseError({
    code: ErrorCode.InvalidData,
    message:
      `${report.invalid} of ${report.records} records are invalid (${report.errors} errors; first: record ` +
      `${JSON.stringify(first?.record)} field "${first?.field}": ${first?.reason}). Fix them, or set ` +
      '"onInvalid": "skip" to train on the rest',
    file: report.source,
    details: { report },
  });
}

/**
 * The report as a plain-text table for a terminal: one line per finding (record, split, field,
 * severity, code, reason), then the count of each code and a summary line.
 */
export function formatCheckReport(
  report: DataCheckReport,
  options: { readonly maxRows?: number } = {},
): string {
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const shown = report.findings.slice(0, maxRows);
  const header = ['record', 'split', 'field', 'severity', 'code', 'reason'];
  const rows = shown.map((f) => [String(f.record), f.split ?? '', f.field, f.severity, f.code, f.reason]);
  const lines: string[] = [];
  if (rows.length > 0) {
    // The reason is last and not padded; the other columns are as wide as their longest cell.
    const widths = header
      .slice(0, -1)
      .map((h, c) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[c]!.length))));
    const format = (cells: string[]) =>
      cells
        .map((cell, c) => (c < widths.length ? clip(cell, widths[c]!).padEnd(widths[c]!) : cell))
        .join('  ');
    lines.push(format(header), format(widths.map((w) => '-'.repeat(w)).concat('-'.repeat(6))));
    for (const row of rows) lines.push(format(row));
    if (report.findings.length > shown.length) {
      lines.push(`… ${report.findings.length - shown.length} more findings in the JSON report`);
    }
    lines.push('');
    const codes = Object.entries(report.byCode).sort(
      (a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]),
    );
    const codeWidth = Math.max(...codes.map(([code]) => code.length));
    for (const [code, { severity, count }] of codes)
      lines.push(`${code.padEnd(codeWidth)}  ${severity.padEnd(7)}  ${count}`);
    lines.push('');
  }
  lines.push(
    `${report.records} records checked: ${report.valid} valid, ${report.invalid} invalid ` +
      `(${report.errors} errors, ${report.warnings} warnings)`,
  );
  return lines.join('\n');
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The records left out under `onInvalid: "skip"`, with every problem: kept in reports and bundles. */
export interface SkippedRecords {
  readonly count: number;
  /** Error findings per code. */
  readonly byCode: Readonly<Record<string, number>>;
  readonly records: readonly {
    readonly record: string | number;
    readonly problems: readonly { readonly field: string; readonly code: string; readonly reason: string }[];
  }[];
}

/** The invalid records of a report, as {@link SkippedRecords}. */
export function skippedRecords(report: DataCheckReport): SkippedRecords {
  const problems = new Map<string | number, { field: string; code: string; reason: string }[]>();
  for (const finding of report.findings) {
    if (finding.severity !== 'error') continue;
    const list = problems.get(finding.record) ?? [];
    problems.set(finding.record, list);
    list.push({ field: finding.field, code: finding.code, reason: finding.reason });
  }
  return {
    count: report.invalid,
    byCode: Object.fromEntries(
      Object.entries(report.byCode)
        .filter(([, entry]) => entry.severity === 'error')
        .map(([code, entry]) => [code, entry.count]),
    ),
    records: report.invalidRecords.map((record) => ({ record, problems: problems.get(record) ?? [] })),
  };
}
