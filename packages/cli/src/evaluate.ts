import path from 'node:path';
import {
  type DataCheckReport,
  type Dataset,
  ErrorCode,
  type FieldType,
  loadManifest,
  OmnifuseError,
  splitDataset,
} from '@omnifuse/core';
import { type EvaluationMetrics, writeReport } from '@omnifuse/trainer';
import { flag, type ParsedArgs, positional, stringOption, UsageError } from './args.js';
import { bundleDataCandidates, openBundle } from './bundle.js';
import { onInvalidOption, printCheck } from './invalid-records.js';
import { type CliIo, line } from './io.js';

export async function runEvaluate(args: ParsedArgs, io: CliIo): Promise<number> {
  const splitName = stringOption(args, 'split') ?? 'test';
  const reportOption = stringOption(args, 'report-dir');
  const wantReport = !flag(args, 'no-report');
  const { dir, model } = await openBundle(positional(args, 'bundle'), io);
  try {
    const dataArg = stringOption(args, 'data');
    const dataFile = dataArg
      ? path.resolve(io.cwd, dataArg)
      : bundleDataCandidates(model, [io.cwd, path.dirname(dir)])[0];
    if (!dataFile) {
      throw new UsageError(
        `no data: pass --data <manifest> (the config's data "${model.spec.data ?? ''}" was not found from here or beside the bundle)`,
      );
    }
    const fieldTypes = (model.bundle.manifest.data?.fieldTypes ?? {}) as Record<string, FieldType>;
    const dataset = await loadManifest(dataFile, { fieldTypes });
    const records = pickSplit(dataset, splitName, model.spec.split);
    const onInvalid = onInvalidOption(args, model.spec.onInvalid);
    let skipped: readonly (string | number)[] = [];
    const checked = {
      onInvalid,
      onCheck: (report: DataCheckReport) => {
        printCheck(io, report, onInvalid);
        skipped = report.invalidRecords;
      },
    };

    let metrics: EvaluationMetrics;
    let reportFiles: { readonly json: string; readonly html: string } | undefined;
    if (wantReport) {
      const result = await model.evaluate(records, { report: true, split: splitName, ...checked });
      metrics = result.metrics;
      const reportDir = path.resolve(io.cwd, reportOption ?? path.join(dir, 'report'));
      reportFiles = await writeReport(reportDir, result.report);
      line(io.stderr, `wrote ${path.join(path.relative(io.cwd, reportDir) || '.', 'report.{json,html}')}`);
    } else metrics = await model.evaluate(records, checked);

    line(
      io.stdout,
      JSON.stringify(
        {
          bundle: dir,
          data: dataFile,
          split: splitName,
          records: records.size - skipped.length,
          ...(skipped.length > 0 ? { skipped } : {}),
          metrics,
          ...(reportFiles ? { report: reportFiles } : {}),
        },
        null,
        2,
      ),
    );
  } finally {
    model.dispose();
  }
  return 0;
}

function pickSplit(dataset: Dataset, name: string, spec: Parameters<typeof splitDataset>[1]): Dataset {
  if (name === 'all') return dataset;
  const part = splitDataset(dataset, spec).datasets[name as 'train' | 'validation' | 'test'];
  if (part.size === 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: `the ${name} split of the data is empty (use --split all to score every record)`,
      file: dataset.source,
      path: 'split',
    });
  }
  return part;
}
