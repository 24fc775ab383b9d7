import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { type EvaluationReport, renderReportHtml } from '@omnifuse/trainer';
import { type ParsedArgs, positional, stringOption } from './args.js';
import { type CliIo, line } from './io.js';

/** Renders a saved report.json to HTML again, with the trainer's own renderer. */
export async function runReport(args: ParsedArgs, io: CliIo): Promise<number> {
  const file = path.resolve(io.cwd, positional(args, 'report'));
  const outOption = stringOption(args, 'out');
  const out = outOption ? path.resolve(io.cwd, outOption) : path.join(path.dirname(file), 'report.html');
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'report not found' : 'not a JSON report',
      file,
      cause,
    });
  }
  // Any JSON parses; only a report of a version this trainer renders goes on to the renderer.
  const version = (report as { reportVersion?: unknown } | null)?.reportVersion;
  if (version !== 1) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'not an omnifuse evaluation report (evaluate and train write one as report.json)',
      file,
      path: 'reportVersion',
      expected: 'reportVersion 1',
      found: version === undefined ? 'none' : version,
    });
  }
  writeFileSync(out, renderReportHtml(report as EvaluationReport));
  line(io.stdout, out);
  return 0;
}
