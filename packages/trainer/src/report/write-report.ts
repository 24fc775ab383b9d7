import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
  await mkdir(dir, { recursive: true });
  const files = {
    json: path.join(dir, REPORT_FILES.json),
    html: path.join(dir, REPORT_FILES.html),
  };
  await writeAtomically(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomically(files.html, renderReportHtml(report));
  return files;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
