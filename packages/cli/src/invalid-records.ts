import { type DataCheckReport, formatCheckReport } from '@omnifuse/core';
import { type ParsedArgs, stringOption } from './args.js';
import { type CliIo, line } from './io.js';

export type OnInvalid = 'fail' | 'skip';

export function onInvalidOption(args: ParsedArgs, fallback: OnInvalid): OnInvalid {
  return (stringOption(args, 'on-invalid') as OnInvalid | undefined) ?? fallback;
}

/**
 * Prints a data check's findings on stderr when there are any and the run goes on (warnings, or
 * errors skipped); under `fail` with errors the error itself prints the table (see `formatError`).
 */
export function printCheck(io: CliIo, report: DataCheckReport, onInvalid: OnInvalid): void {
  if (report.findings.length === 0) return;
  if (report.invalid > 0 && onInvalid === 'fail') return;
  line(io.stderr, formatCheckReport(report));
  if (report.invalid > 0) line(io.stderr, `skipping ${report.invalid} invalid records (--on-invalid skip)`);
}
