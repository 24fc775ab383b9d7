import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { type AnyStep, checkRows, type FitContext, type Rows, type StepSpec, type Target } from './step.js';
import { BUILTIN_STEPS } from './steps/index.js';

/** The saved form of a fitted pipeline: plain JSON, what a model bundle stores. */
export interface PipelineJson {
  readonly format: 'omnifuse-data-pipeline';
  readonly formatVersion: 1;
  readonly inputNames: readonly string[];
  readonly steps: readonly {
    readonly type: string;
    readonly options: unknown;
    readonly state: unknown;
    readonly outputNames: readonly string[];
  }[];
}

export interface FittedPipeline {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Applies every step in order; rows must have `inputNames.length` columns. */
  transform(rows: Rows): number[][];
  toJSON(): PipelineJson;
}

export interface FitPipelineOptions {
  readonly featureNames?: readonly string[];
  readonly target?: Target;
  /** Default: classification when any target value is a string, else regression. */
  readonly task?: 'classification' | 'regression';
  readonly seed?: number;
  /** Step definitions beyond the built-in ones (third-party steps), by `type`. */
  readonly steps?: readonly AnyStep[];
}

/** Every step type known: the built-ins, then `extra` (which may not reuse a built-in name). */
export function stepRegistry(extra: readonly AnyStep[] = []): Map<string, AnyStep> {
  const registry = new Map<string, AnyStep>();
  for (const step of [...BUILTIN_STEPS, ...extra]) {
    if (registry.has(step.type)) {
      throw new OmnifuseError({
        code: ErrorCode.DuplicatePlugin,
        message: `two data steps are named "${step.type}"`,
        plugin: '@omnifuse/data',
      });
    }
    registry.set(step.type, step);
  }
  return registry;
}

function lookup(registry: Map<string, AnyStep>, type: string): AnyStep {
  const step = registry.get(type);
  if (!step) {
    throw new OmnifuseError({
      code: ErrorCode.PluginNotFound,
      message: `unknown data step "${type}"`,
      plugin: '@omnifuse/data',
      expected: [...registry.keys()].sort(),
      found: type,
    });
  }
  return step;
}

function parseStepOptions(step: AnyStep, options: unknown): unknown {
  const result = step.options.safeParse(options ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `data step "${step.type}": ${issue.path.join('.') || 'options'}: ${issue.message}`,
      plugin: '@omnifuse/data',
      step: step.type,
      path: issue.path.join('.'),
    });
  }
  return result.data;
}

/**
 * Fits the steps in order on training rows (each step sees the previous one's output) and returns
 * the fitted pipeline. Supervised steps need `target`.
 */
export function fitPipeline(
  specs: readonly StepSpec[],
  rows: Rows,
  options: FitPipelineOptions = {},
): FittedPipeline {
  const registry = stepRegistry(options.steps);
  const width = rows[0]?.length ?? options.featureNames?.length ?? 0;
  const inputNames = options.featureNames ?? Array.from({ length: width }, (_, i) => `x${i}`);
  if (options.target && options.target.length !== rows.length) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: `the target has ${options.target.length} values for ${rows.length} rows`,
      plugin: '@omnifuse/data',
      expected: rows.length,
      found: options.target.length,
    });
  }
  const task =
    options.task ??
    (options.target?.some((value) => typeof value === 'string') ? 'classification' : 'regression');
  const fitted: PipelineJson['steps'][number][] = [];
  let current: Rows = rows;
  let names: readonly string[] = inputNames;
  for (const spec of specs) {
    const step = lookup(registry, spec.type);
    const stepOptions = parseStepOptions(step, spec.options);
    checkRows(step.type, current, names, { allowMissing: step.acceptsMissing === true, width: names.length });
    if (step.supervised && !options.target) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: `data step "${step.type}" is supervised: fit the pipeline with a target`,
        plugin: '@omnifuse/data',
        step: step.type,
      });
    }
    const context: FitContext = {
      featureNames: names,
      target: options.target,
      task: options.target ? task : undefined,
      seed: options.seed ?? 0,
    };
    const state = step.fit(current, stepOptions, context);
    const outputNames = step.outputNames(state, stepOptions, names);
    current = step.transform(current, state, stepOptions);
    names = outputNames;
    fitted.push({ type: step.type, options: stepOptions, state, outputNames });
  }
  return makePipeline(
    { format: 'omnifuse-data-pipeline', formatVersion: 1, inputNames, steps: fitted },
    registry,
  );
}

/** A fitted pipeline from its JSON (what `toJSON` wrote), ready to transform. */
export function loadPipeline(json: unknown, extraSteps: readonly AnyStep[] = []): FittedPipeline {
  const value = json as Partial<PipelineJson> | null;
  if (
    value?.format !== 'omnifuse-data-pipeline' ||
    value.formatVersion !== 1 ||
    !Array.isArray(value.steps) ||
    !Array.isArray(value.inputNames)
  ) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: 'not a saved omnifuse data pipeline (format "omnifuse-data-pipeline", formatVersion 1)',
      plugin: '@omnifuse/data',
    });
  }
  const registry = stepRegistry(extraSteps);
  for (const step of value.steps) lookup(registry, step.type);
  return makePipeline(value as PipelineJson, registry);
}

function makePipeline(json: PipelineJson, registry: Map<string, AnyStep>): FittedPipeline {
  const outputNames = json.steps.at(-1)?.outputNames ?? json.inputNames;
  return {
    inputNames: json.inputNames,
    outputNames,
    transform(rows) {
      let current: Rows = rows;
      let names = json.inputNames;
      for (const saved of json.steps) {
        const step = lookup(registry, saved.type);
        checkRows(step.type, current, names, {
          allowMissing: step.acceptsMissing === true,
          width: names.length,
        });
        current = step.transform(current, saved.state, saved.options);
        names = saved.outputNames;
      }
      return current.map((row) => [...row]);
    },
    toJSON: () => json,
  };
}
