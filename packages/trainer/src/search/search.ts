import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  type Dataset,
  ErrorCode,
  type FeatureCache,
  hashValue,
  type LoadManifestOptions,
  type ModelSpec,
  type ModelSpecInput,
  OmnifuseError,
  type PluginList,
  parseModelSpec,
  type Registry,
  writeFileAtomic,
} from '@omnifuse/core';
import type { BackendOption } from '../backend.js';
import type { ProgressOptions } from '../progress.js';
import { train } from '../train.js';
import { bestConfigJson } from './best-config.js';
import { checkParamPaths } from './check-params.js';
import { readTrials, SEARCH_FILES, trialsJsonl } from './files.js';
import { halvingSchedule } from './halving.js';
import {
  availableMetrics,
  checkMetricName,
  type MetricDirection,
  metricDirection,
  rankByValue,
  readMetric,
  type SplitMetrics,
} from './metric.js';
import { createSearchProgress, type SearchProgress } from './progress.js';
import { resultsChart } from './results-chart.js';
import { resultsMarkdown } from './results-table.js';
import { loadSearchData, searchRegistry, sharedCache } from './search-inputs.js';
import {
  applyParams,
  gridParams,
  parseSearchSpace,
  type SearchParams,
  type SearchSpaceInput,
  sampleParams,
} from './space.js';
import { parseStrategy, type SearchStrategyInput } from './strategy.js';
import type { SearchTrial } from './trial.js';

export interface SearchOptions {
  /** The base model spec; each trial sets the space's parameters on it. */
  readonly spec: ModelSpecInput | ModelSpec;
  /** Dotted spec paths and what to try at each: a list of values or `{ min, max, log?, int? }`. */
  readonly space: SearchSpaceInput;
  /** Default `{ type: 'grid' }`. */
  readonly strategy?: SearchStrategyInput;
  /** What to optimise: `val_<key>` or `test_<key>` of the trial's metrics; default `val_accuracy`. */
  readonly metric?: string;
  /** Default: `min` for metrics named like a loss or an error, else `max`. */
  readonly direction?: MetricDirection;
  readonly dataset?: Dataset;
  /** A manifest file; default: the spec's `data`, relative to `baseDir`. */
  readonly manifestPath?: string;
  readonly manifestOptions?: LoadManifestOptions;
  readonly registry?: Registry | PluginList;
  /** One feature cache for every trial (default `<data root>/.omnifuse-cache`), or `false`. */
  readonly cache?: string | false | FeatureCache;
  /** Overrides the spec's `backend`; a backend selected already is used by every trial as it is. */
  readonly backend?: BackendOption;
  /** Folder of the spec (for `data` and relative plugins); default: cwd. */
  readonly baseDir?: string;
  /** Where `search.jsonl`, `results.md`, `results.svg` and `best-config.json` go; reruns resume there. */
  readonly outDir: string;
  /** Report each trial on stderr (text on a terminal, JSON lines otherwise). */
  readonly progress?: boolean | ProgressOptions;
}

export interface SearchBest {
  readonly id: string;
  readonly params: SearchParams;
  /** The base spec with the best params applied (and, for halving, the last rung's epochs). */
  readonly spec: ModelSpec;
  readonly metrics: SplitMetrics;
  readonly value: number;
}

export interface SearchResult {
  /** This search's trials in run order. */
  readonly trials: readonly SearchTrial[];
  /** Null when no trial succeeded. */
  readonly best: SearchBest | null;
  readonly metric: string;
  readonly direction: MetricDirection;
  readonly files: {
    readonly trials: string;
    readonly table: string;
    readonly chart: string;
    readonly bestConfig: string;
  };
}

interface PlannedTrial {
  readonly id: string;
  readonly config: number;
  readonly rung?: number;
  readonly params: SearchParams;
  readonly epochs?: number;
}

/**
 * Hyperparameter search: trains one model per configuration of `space` (a grid, seeded random
 * samples, or successive halving over seeded samples), ranks them by `metric` and saves the results
 * in `outDir`. Every trial shares the dataset, the registry and the feature cache. A trial whose spec
 * is invalid, whose training throws, or that lacks the metric is recorded as failed, with its
 * error; the search goes on. After each trial the files are rewritten atomically, and a rerun into
 * the same `outDir` reuses the trials whose spec is unchanged.
 */
export async function search(options: SearchOptions): Promise<SearchResult> {
  const base = parseModelSpec(options.spec);
  const space = parseSearchSpace(options.space);
  const strategy = parseStrategy(options.strategy);
  const metric = options.metric ?? 'val_accuracy';
  checkMetricName(metric);
  const direction = options.direction ?? metricDirection(metric);
  if (strategy.type === 'halving' && 'training.epochs' in space) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'successive halving sets training.epochs itself; leave it out of the space',
      path: 'space.training.epochs',
    });
  }
  const baseDir = path.resolve(options.baseDir ?? process.cwd());
  const registry = await searchRegistry(base, baseDir, options.registry);
  checkParamPaths(base, space, registry);
  const dataset = options.dataset ?? (await loadSearchData(options, base, baseDir));
  const cache = sharedCache(options.cache, dataset);

  const outDir = path.resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const files = {
    trials: path.join(outDir, SEARCH_FILES.trials),
    table: path.join(outDir, SEARCH_FILES.table),
    chart: path.join(outDir, SEARCH_FILES.chart),
    bestConfig: path.join(outDir, SEARCH_FILES.bestConfig),
  };
  const earlier = await readTrials(files.trials);
  const report: SearchProgress | undefined = options.progress
    ? createSearchProgress(options.progress === true ? {} : options.progress)
    : undefined;

  const finished: SearchTrial[] = [];
  // Halving trials (those with a rung) train for their rung's epochs; the others as the spec says.
  const specFor = (params: SearchParams, epochs?: number): ModelSpec => {
    const applied = applyParams(base, params);
    return epochs === undefined ? applied : { ...applied, training: { ...applied.training, epochs } };
  };
  const bestSpec = (best: SearchTrial) =>
    specFor(best.params, best.rung === undefined ? undefined : best.budget);
  const bestOf = (): SearchTrial | null => {
    const ok = finished.filter((t) => t.status === 'ok');
    const lastRung = Math.max(-1, ...ok.map((t) => t.rung ?? 0));
    return (
      rankByValue(
        ok.filter((t) => (t.rung ?? 0) === lastRung),
        (t) => t.value,
        direction,
      )[0] ?? null
    );
  };
  const save = async () => {
    const best = bestOf();
    const kept = [...earlier.values()].filter((t) => !finished.some((f) => f.id === t.id));
    // Trials of an earlier run this one did not revisit stay in the log, after this run's.
    await writeFileAtomic(files.trials, trialsJsonl([...finished, ...kept]));
    const table = {
      trials: finished,
      params: Object.keys(space),
      metric,
      direction,
      strategy: strategy.type,
      best,
    };
    await writeFileAtomic(files.table, resultsMarkdown(table));
    await writeFileAtomic(files.chart, resultsChart({ trials: finished, metric, best }));
    if (best) await writeFileAtomic(files.bestConfig, bestConfigJson(bestSpec(best), { baseDir, outDir }));
  };

  let total = 0;
  const runTrial = async (planned: PlannedTrial): Promise<SearchTrial> => {
    const applied = specFor(planned.params, planned.epochs);
    const specHash = hashValue(applied);
    const previous = earlier.get(planned.id);
    let trial: SearchTrial;
    if (previous && previous.specHash !== specHash) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `the folder holds another search (trial ${planned.id} had another spec); use a new output folder or delete ${SEARCH_FILES.trials}`,
        file: files.trials,
        path: 'outDir',
      });
    }
    if (previous) {
      const value = previous.status === 'ok' ? (readMetric(metric, previous.metrics) ?? null) : null;
      trial = {
        ...previous,
        value,
        status: previous.status === 'ok' && value === null ? 'failed' : previous.status,
      };
    } else {
      trial = await trainTrial(planned, applied, specHash);
    }
    finished.push(trial);
    await save();
    report?.({ trial, index: finished.length, total, reused: previous !== undefined, metric });
    return trial;
  };
  const trainTrial = async (
    planned: PlannedTrial,
    applied: ModelSpec,
    specHash: string,
  ): Promise<SearchTrial> => {
    const started = performance.now();
    const common = {
      id: planned.id,
      config: planned.config,
      ...(planned.rung === undefined ? {} : { rung: planned.rung }),
      params: planned.params,
      budget: applied.training?.epochs ?? 0,
      specHash,
    };
    const seconds = () => Math.round(performance.now() - started) / 1000;
    try {
      // The registry already holds every plugin the spec names, so no trial loads them again.
      const spec = { ...parseModelSpec(applied), plugins: [] };
      const result = await train({ spec, dataset, registry, cache, backend: options.backend, baseDir });
      result.model.dispose();
      const metrics = result.metrics;
      const value = readMetric(metric, metrics);
      const epochs = result.history.epochs.length;
      if (value === undefined) {
        const error = {
          code: ErrorCode.InvalidOptions,
          message: `no metric "${metric}" (the trial has ${availableMetrics(metrics).join(', ') || 'none: no validation or test split'})`,
        };
        return { ...common, status: 'failed', value: null, metrics, epochs, seconds: seconds(), error };
      }
      return { ...common, status: 'ok', value, metrics, epochs, seconds: seconds() };
    } catch (error) {
      const failure = OmnifuseError.isInstance(error)
        ? { code: error.code, message: error.message }
        : { message: error instanceof Error ? error.message : String(error) };
      return {
        ...common,
        status: 'failed',
        value: null,
        metrics: {},
        epochs: 0,
        seconds: seconds(),
        error: failure,
      };
    }
  };

  if (strategy.type === 'halving') {
    const rungs = halvingSchedule({ ...strategy, maxEpochs: strategy.maxEpochs ?? base.training.epochs });
    total = rungs.reduce((sum, rung) => sum + rung.configs, 0);
    let configs = Array.from({ length: strategy.trials }, (_, i) => i + 1);
    for (const rung of rungs) {
      const results: SearchTrial[] = [];
      for (const config of configs.slice(0, rung.configs)) {
        const params = sampleParams(space, strategy.seed, config - 1);
        results.push(
          await runTrial({
            id: trialId(config, rung.rung),
            config,
            rung: rung.rung,
            params,
            epochs: rung.epochs,
          }),
        );
      }
      const next = rungs[rung.rung + 1];
      if (!next) break;
      // The best 1/eta go on, in configuration order so that the run order is deterministic too.
      const ok = results.filter((t) => t.status === 'ok');
      configs = rankByValue(ok, (t) => t.value, direction)
        .slice(0, next.configs)
        .map((t) => t.config)
        .sort((a, b) => a - b);
      if (configs.length === 0) break;
    }
  } else {
    const planned =
      strategy.type === 'grid'
        ? gridParams(space)
        : Array.from({ length: strategy.trials }, (_, i) => sampleParams(space, strategy.seed, i));
    total = planned.length;
    for (const [i, params] of planned.entries()) {
      await runTrial({ id: trialId(i + 1), config: i + 1, params });
    }
  }
  if (finished.length === 0) await save();

  const best = bestOf();
  return {
    trials: finished,
    best: best
      ? {
          id: best.id,
          params: best.params,
          spec: parseModelSpec(bestSpec(best)),
          metrics: best.metrics,
          value: best.value!,
        }
      : null,
    metric,
    direction,
    files,
  };
}

/**
 * `t003`, or `t003-r1` for rung 1 of successive halving. The width does not depend on the trial
 * count, so a rerun with more trials finds the earlier ones under the same ids.
 */
function trialId(config: number, rung?: number): string {
  const id = `t${String(config).padStart(3, '0')}`;
  return rung === undefined ? id : `${id}-r${rung}`;
}
