import { existsSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_FILES, ErrorCode, OmnifuseError, type PluginV1 } from '@omnifuse/core';
import { fineTune } from '@omnifuse/trainer';
import {
  jobsOption,
  numberOption,
  type ParsedArgs,
  positional,
  stringOption,
  UsageError,
  workersOption,
} from './args.js';
import { activateBackend } from './backend-line.js';
import { bundlePackages } from './bundle.js';
import { type OnInvalid, printCheck } from './invalid-records.js';
import { type CliIo, line } from './io.js';
import { loadPluginModules, pluginSearchDirs } from './plugins.js';

/** `omnifuse fine-tune <bundle> --data <manifest> [--freeze …] [--unfreeze …] [--lr …] [--epochs N] [--out dir]` */
export async function runFineTune(args: ParsedArgs, io: CliIo): Promise<number> {
  const bundleDir = path.resolve(io.cwd, positional(args, 'bundle'));
  const data = stringOption(args, 'data');
  if (!data) throw new UsageError('missing --data <manifest> (the new records to train on)');
  const freeze = listOption(args, 'freeze');
  const unfreeze = listOption(args, 'unfreeze');
  const learningRates = parseRates(stringOption(args, 'lr'));
  const out = stringOption(args, 'out');
  const bundleOut = out ? path.resolve(io.cwd, out) : `${bundleDir}-fine-tuned`;
  const reportOption = stringOption(args, 'report-dir');
  const reportDir = reportOption ? path.resolve(io.cwd, reportOption) : undefined;
  const epochs = numberOption(args, 'epochs');
  const rate = stringOption(args, 'learning-rate');

  const manifestFile = path.join(bundleDir, BUNDLE_FILES.manifest);
  if (!existsSync(manifestFile)) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: `not a model bundle: no ${BUNDLE_FILES.manifest} (train writes one with --out <dir>)`,
      file: bundleDir,
    });
  }
  const { selected, text } = await activateBackend('auto');
  line(io.stderr, text);
  const result = await fineTune({
    bundleDir,
    manifestPath: path.resolve(io.cwd, data),
    freeze,
    unfreeze,
    learningRates,
    training: {
      ...(epochs ? { epochs } : {}),
      ...(rate !== undefined ? { learningRate: parseRate(rate, '--learning-rate') } : {}),
    },
    registry: await bundlePlugins(manifestFile, io),
    baseDir: io.cwd,
    backend: selected,
    bundleOut,
    reportDir,
    progress: { stream: io.stderr },
    onInvalid: stringOption(args, 'on-invalid') as OnInvalid | undefined,
    onCheck: (report, onInvalid) => printCheck(io, report, onInvalid),
    workers: workersOption(args),
    jobs: jobsOption(args),
  });
  result.model.dispose();
  line(io.stderr, `saved ${path.relative(io.cwd, bundleOut) || bundleOut}`);
  line(
    io.stdout,
    JSON.stringify(
      {
        bundle: bundleOut,
        from: bundleDir,
        backend: result.backend,
        epochs: result.history.epochs.length,
        bestEpoch: result.history.bestEpoch + 1,
        labels: result.labels,
        metrics: result.metrics,
        ...(reportDir && result.report ? { reportDir } : {}),
      },
      null,
      2,
    ),
  );
  return 0;
}

function listOption(args: ParsedArgs, name: string): string[] {
  return (stringOption(args, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `pattern=rate,pattern=rate` in order (the first pattern that selects a layer sets its rate). */
function parseRates(value: string | undefined): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const item of (value ?? '').split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const at = item.lastIndexOf('=');
    if (at <= 0)
      throw new UsageError(`--lr takes pattern=rate pairs, e.g. "image/*=1e-4,head=1e-3" (got "${item}")`);
    rates[item.slice(0, at)] = parseRate(item.slice(at + 1), `--lr ${item.slice(0, at)}`);
  }
  return rates;
}

function parseRate(text: string, what: string): number {
  const rate = Number(text);
  if (text.trim() === '' || !Number.isFinite(rate) || rate < 0)
    throw new UsageError(`${what} must be a number ≥ 0 (got "${text}")`);
  return rate;
}

/** Plugin packages the bundle names, from the working folder or beside the CLI (as predict loads them). */
async function bundlePlugins(manifestFile: string, io: CliIo): Promise<PluginV1[]> {
  const names = bundlePackages(manifestFile); // empty when unreadable: fineTune names the corrupt manifest
  const plugins: PluginV1[] = [];
  for (const name of names) {
    try {
      const [loaded] = await loadPluginModules([name], pluginSearchDirs(io.cwd));
      plugins.push(...(loaded?.plugins ?? []));
    } catch {
      // fineTune reports the plugins still missing.
    }
  }
  return plugins;
}
