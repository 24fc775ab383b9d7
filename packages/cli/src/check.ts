import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { checkDataset, formatCheckReport, writeFileAtomic } from '@omnifuse/core';
import { resolveRegistry } from '@omnifuse/trainer';
import { type ParsedArgs, positional, stringOption } from './args.js';
import { loadConfig } from './config.js';
import { loadConfigData } from './data.js';
import { type CliIo, line } from './io.js';
import { createStepProgress } from './progress.js';

/**
 * Checks every record of every split against the config in one pass (nothing is fitted or decoded):
 * a table of every finding on stderr, the JSON report on stdout (or in `--out`). Exits 1 when any
 * record is invalid, 0 when there are only warnings or nothing.
 */
export async function runCheck(args: ParsedArgs, io: CliIo): Promise<number> {
  const config = await loadConfig(positional(args, 'config'), io.cwd);
  const registry = await resolveRegistry({ baseDir: config.dir, registry: [...config.plugins] });
  const dataset = await loadConfigData(config.spec, config.file);
  const progress = createStepProgress(io, 'check');
  const report = await checkDataset(dataset, config.spec, {
    registry,
    onProgress: ({ done, total }) => progress.update('records', done, total),
  });
  progress.end();
  line(io.stderr, formatCheckReport(report));
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const out = stringOption(args, 'out');
  if (out) {
    const file = path.resolve(io.cwd, out);
    mkdirSync(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, json);
    line(io.stderr, `wrote ${path.relative(io.cwd, file) || file}`);
  } else io.stdout.write(json);
  return report.invalid > 0 ? 1 : 0;
}
