import { createRng, ErrorCode, formatPath, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';

/** A continuous (or integer) range to sample from; a grid needs `steps` points from it. */
export const searchRangeSchema = z
  .object({
    min: z.number(),
    max: z.number(),
    /** Sample (or space grid points) evenly in log space; needs min > 0. */
    log: z.boolean().default(false),
    /** Whole numbers only, both ends included. */
    int: z.boolean().default(false),
    /** Grid only: this many evenly spaced points from min to max (both included). */
    steps: z.number().int().min(2).optional(),
  })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' })
  .refine((r) => !r.log || r.min > 0, { message: 'a log range needs min > 0' });

/** One dimension: the values to try, or a range. */
export const searchDimensionSchema = z.union([z.array(z.unknown()).min(1), searchRangeSchema]);

/**
 * A search space: dotted paths into the model spec (`training.learningRate`,
 * `inputs.0.options.hidden`, `fusion.type`) and what to try at each.
 */
export const searchSpaceSchema = z
  .record(
    z.string().regex(/^[^.]+(\.[^.]+)*$/, 'a parameter is a dotted path such as "training.learningRate"'),
    searchDimensionSchema,
  )
  .refine((space) => Object.keys(space).length > 0, { message: 'the search space is empty' });

export type SearchRange = z.output<typeof searchRangeSchema>;
export type SearchDimension = z.output<typeof searchDimensionSchema>;
export type SearchSpace = z.output<typeof searchSpaceSchema>;
export type SearchSpaceInput = z.input<typeof searchSpaceSchema>;
/** One configuration: a value per parameter path. */
export type SearchParams = Readonly<Record<string, unknown>>;

/** Validates a search space; the error is `E_OPTIONS` naming the parameter at fault. */
export function parseSearchSpace(value: unknown, file?: string): SearchSpace {
  const result = searchSpaceSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `invalid search space: ${issue.message}`,
    path: formatPath(['space', ...issue.path]),
    file,
  });
}

/** `inputs.0.options.hidden` → `['inputs', 0, 'options', 'hidden']`. */
export function paramPathParts(param: string): (string | number)[] {
  return param.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * A deep copy of `spec` with each parameter set. Missing objects on the way are created; an array
 * index out of range, or a path through a number or string, is an error naming the parameter.
 */
export function applyParams<T extends object>(spec: T, params: SearchParams): T {
  const out = structuredClone(spec) as Record<string | number, unknown>;
  for (const [param, value] of Object.entries(params)) {
    const parts = paramPathParts(param);
    let node: Record<string | number, unknown> | unknown[] = out;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (Array.isArray(node)) {
        if (typeof part !== 'number' || part >= node.length) throw notAPath(param, parts.slice(0, i + 1));
      }
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[part] = structuredClone(value);
        return;
      }
      const next = container[part];
      if (next === undefined) container[part] = {};
      else if (next === null || typeof next !== 'object') throw notAPath(param, parts.slice(0, i + 1));
      node = container[part] as Record<string | number, unknown>;
    });
  }
  return out as T;
}

export function notAPath(param: string, upTo: readonly (string | number)[]): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `search parameter "${param}" is not a path in the model spec (nothing to set at ${formatPath(upTo)})`,
    path: formatPath(['space', param]),
    details: { param },
  });
}

/** Every combination of the space's values, the last parameter varying fastest. */
export function gridParams(space: SearchSpace): SearchParams[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [param, dimension] of Object.entries(space)) {
    const values = Array.isArray(dimension) ? dimension : gridValues(param, dimension);
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [param]: value })));
  }
  return combos;
}

function gridValues(param: string, range: SearchRange): number[] {
  if (range.steps === undefined) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `a grid cannot enumerate the range of "${param}": give "steps", a list of values, or use a random search`,
      path: formatPath(['space', param]),
      details: { param },
    });
  }
  const values = Array.from({ length: range.steps }, (_, i) => fromUnit(range, i / (range.steps! - 1)));
  return [...new Set(values)];
}

/**
 * Configuration `index` of a seeded random search. Each parameter draws from its own generator,
 * forked by the trial index and the parameter, so trial i is the same whatever the trial count,
 * and adding a parameter leaves the others' draws unchanged.
 */
export function sampleParams(space: SearchSpace, seed: number, index: number): SearchParams {
  const root = createRng(seed);
  const params: Record<string, unknown> = {};
  for (const [param, dimension] of Object.entries(space)) {
    const rng = root.fork(`${index}:${param}`);
    params[param] = Array.isArray(dimension)
      ? structuredClone(dimension[rng.int(dimension.length)])
      : fromUnit(dimension, rng.next(), true);
  }
  return params;
}

/** The point at `u` ∈ [0, 1] of a range (linear or log, rounded for integers). */
function fromUnit(range: SearchRange, u: number, sampled = false): number {
  const { min, max } = range;
  if (range.int && !range.log && sampled) {
    // Each whole number in [min, max] equally likely.
    const lo = Math.ceil(min);
    return Math.min(Math.floor(max), lo + Math.floor(u * (Math.floor(max) - lo + 1)));
  }
  const value = range.log
    ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)))
    : min + u * (max - min);
  if (range.int) return Math.min(Math.floor(max), Math.max(Math.ceil(min), Math.round(value)));
  // Twelve significant digits: drops float noise such as 0.30000000000000004 from tables and files.
  return Number(value.toPrecision(12));
}

/** A value to probe a parameter's path with: its first listed value, or its range's minimum. */
export function probeValue(dimension: SearchDimension): unknown {
  return Array.isArray(dimension) ? dimension[0] : fromUnit(dimension, 0);
}
