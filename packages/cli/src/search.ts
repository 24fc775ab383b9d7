import path from 'node:path';
import { type BackendChoice, readConfigFile } from '@omnifuse/core';
import {
  parseSearchSpace,
  resultsTable,
  type SearchSpace,
  type SearchStrategyInput,
  search,
} from '@omnifuse/trainer';
import { flag, numberOption, type ParsedArgs, positional, stringOption, UsageError } from './args.js';
import { activateBackend } from './backend-line.js';
import { loadConfig } from './config.js';
import { type CliIo, line } from './io.js';

export async function runSearch(args: ParsedArgs, io: CliIo): Promise<number> {
  const spaceOption = stringOption(args, 'space');
  if (!spaceOption) throw new UsageError('missing --space <space.json>');
  const config = await loadConfig(positional(args, 'config'), io.cwd);
  const space = readSpace(path.resolve(io.cwd, spaceOption));
  const strategy = strategyFrom(args);
  const out = stringOption(args, 'out');
  const outDir = out ? path.resolve(io.cwd, out) : path.join(config.dir, 'search');
  const choice = (stringOption(args, 'backend') ?? config.spec.backend) as BackendChoice;
  const { selected, text } = await activateBackend(choice);
  line(io.stderr, text);

  const cacheOption = stringOption(args, 'cache');
  const result = await search({
    // The config as written (every plugin it names): best-config.json keeps them all, and plugins
    // found beside the CLI rather than the config come in `registry`.
    spec: config.spec,
    space,
    strategy,
    metric: stringOption(args, 'metric'),
    registry: [...config.plugins],
    baseDir: config.dir,
    backend: selected,
    cache: flag(args, 'no-cache') ? false : cacheOption ? path.resolve(io.cwd, cacheOption) : undefined,
    outDir,
    progress: { stream: io.stderr },
  });
  line(
    io.stdout,
    resultsTable({
      trials: result.trials,
      params: Object.keys(space),
      metric: result.metric,
      direction: result.direction,
      strategy: strategy.type,
      best: result.trials.find((t) => t.id === result.best?.id) ?? null,
    }),
  );
  const shown = path.relative(io.cwd, outDir) || outDir;
  if (!result.best) {
    line(io.stderr, `no trial succeeded; see ${path.join(shown, 'results.md')}`);
    return 1;
  }
  line(io.stdout);
  line(io.stdout, `best ${result.best.id}: ${result.metric} ${result.best.value.toFixed(4)}`);
  line(
    io.stdout,
    `saved ${path.join(shown, 'best-config.json')} (train it with: omnifuse train ${path.join(shown, 'best-config.json')})`,
  );
  return 0;
}

/** The space file, validated: a bad one is an error naming the file and the parameter. */
function readSpace(file: string): SearchSpace {
  return parseSearchSpace(readConfigFile(file, 'the search space'), file);
}

function strategyFrom(args: ParsedArgs): SearchStrategyInput & { type: string } {
  const type = stringOption(args, 'strategy') ?? 'grid';
  const trials = numberOption(args, 'trials');
  const seed = numberOption(args, 'seed');
  const halvingOnly = ['min-epochs', 'max-epochs', 'eta'].filter((name) => args.options[name] !== undefined);
  if (type !== 'halving' && halvingOnly.length > 0)
    throw new UsageError(`--${halvingOnly[0]} applies to --strategy halving only`);
  if (type === 'grid') {
    if (trials !== undefined || seed !== undefined)
      throw new UsageError(
        'a grid tries every combination: --trials and --seed need --strategy random or halving',
      );
    return { type: 'grid' };
  }
  if (type === 'random') return { type: 'random', trials, seed };
  return {
    type: 'halving',
    trials,
    seed,
    minEpochs: numberOption(args, 'min-epochs'),
    maxEpochs: numberOption(args, 'max-epochs'),
    eta: numberOption(args, 'eta'),
  };
}
