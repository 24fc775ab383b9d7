import path from 'node:path';
import { type BackendChoice, loadManifest } from '@omnifuse/core';
import { train } from '@omnifuse/trainer';
import {
  flag,
  jobsOption,
  numberOption,
  type ParsedArgs,
  positional,
  stringOption,
  workersOption,
} from './args.js';
import { activateBackend } from './backend-line.js';
import { loadConfig } from './config.js';
import { onInvalidOption, printCheck } from './invalid-records.js';
import { type CliIo, line } from './io.js';
import { oversizedInputWarnings } from './oversized-inputs.js';

export async function runTrain(args: ParsedArgs, io: CliIo): Promise<number> {
  const config = await loadConfig(positional(args, 'config'), io.cwd);
  const out = stringOption(args, 'out');
  const bundleDir = out ? path.resolve(io.cwd, out) : path.join(config.dir, 'model');
  // Without --checkpoint-dir the trainer uses <bundle>/checkpoints (and removes it once done).
  const checkpointOption = stringOption(args, 'checkpoint-dir');
  const reportOption = stringOption(args, 'report-dir');
  const reportDir = reportOption ? path.resolve(io.cwd, reportOption) : undefined;

  const epochs = numberOption(args, 'epochs');
  const spec = epochs
    ? { ...config.trainSpec, training: { ...config.trainSpec.training, epochs } }
    : config.trainSpec;
  const choice = (stringOption(args, 'backend') ?? spec.backend) as BackendChoice;
  const { selected, text } = await activateBackend(choice);
  line(io.stderr, text);
  // Loaded once, for the oversized-input check and for training (a large manifest costs seconds).
  const dataset = spec.data ? await loadManifest(path.resolve(config.dir, spec.data)) : undefined;
  for (const warning of await oversizedInputWarnings(spec, config, dataset)) line(io.stderr, warning);

  const cacheOption = stringOption(args, 'cache');
  const onInvalid = onInvalidOption(args, spec.onInvalid);
  const result = await train({
    spec,
    ...(dataset ? { dataset } : {}),
    baseDir: config.dir,
    registry: [...config.plugins],
    bundleDir,
    backend: selected,
    progress: { stream: io.stderr },
    cache: flag(args, 'no-cache') ? false : cacheOption ? path.resolve(io.cwd, cacheOption) : undefined,
    checkpointDir: checkpointOption ? path.resolve(io.cwd, checkpointOption) : undefined,
    resume: flag(args, 'resume'),
    reportDir,
    onInvalid,
    onCheck: (report) => printCheck(io, report, onInvalid),
    workers: workersOption(args),
    jobs: jobsOption(args),
  });
  // Records that failed later, while preprocessing, and were skipped.
  const later = result.dataCheck.findings.filter((f) => f.code === 'preprocess-failed');
  if (later.length > 0) printCheck(io, { ...result.dataCheck, findings: later }, onInvalid);
  result.model.dispose();
  line(io.stderr, `saved ${path.relative(io.cwd, bundleDir) || bundleDir}`);
  // The trainer reports on the test split, else the validation split; with neither it writes none.
  const reported = reportDir !== undefined && result.report !== null;
  if (reportDir && !reported) line(io.stderr, 'no report: the split has no validation or test records');
  line(
    io.stdout,
    JSON.stringify(
      {
        bundle: bundleDir,
        backend: result.backend,
        epochs: result.history.epochs.length,
        bestEpoch: result.history.bestEpoch + 1,
        labels: result.labels,
        metrics: result.metrics,
        ...(result.dataCheck.invalid > 0 ? { skipped: result.dataCheck.invalidRecords } : {}),
        ...(reported ? { reportDir } : {}),
      },
      null,
      2,
    ),
  );
  return 0;
}
