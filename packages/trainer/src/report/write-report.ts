import path from 'node:path';
import { writeFileAtomic } from '@omnifuse/core';
import type { EvaluationReport } from './build-report.js';
import { renderReportHtml } from './render-html.js';

/** The files `writeReport` writes in its folder. */
export const REPORT_FILES = { json: 'report.json', html: 'report.html' } as const;

/**
 * Writes `report.json` and `report.html` into `dir` (created if needed). Each file is written to a
 * temporary name and renamed into place, so a reader never sees half a report.
 */
export async function writeReport(
  dir: string,
  report: EvaluationReport,
): Promise<{ readonly json: string; readonly html: string }> {
  const files = {
    json: path.join(dir, REPORT_FILES.json),
    html: path.join(dir, REPORT_FILES.html),
  };
  await writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(files.html, renderReportHtml(report));
  return files;
}
