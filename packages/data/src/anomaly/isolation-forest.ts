import { createRng, ErrorCode, OmnifuseError, type Rng, shuffled } from '@omnifuse/core';
import { z } from 'zod';
import { checkRows, type Rows } from '../step.js';
import { quantile } from './univariate.js';

const STEP = 'isolation-forest';
const EULER_GAMMA = 0.5772156649015329;

const optionsSchema = z
  .object({
    nEstimators: z.number().int().min(1).default(100),
    /** Rows drawn (without replacement) per tree: `'auto'` = min(256, n); a larger count is capped at n. */
    maxSamples: z.union([z.literal('auto'), z.number().int().min(1)]).default('auto'),
    /** Fraction of the features each tree may split on (at least one). */
    maxFeatures: z.number().gt(0).max(1).default(1),
    /** `'auto'`: offset −0.5 (sklearn's default); a number: the training score quantile flagged as outliers. */
    contamination: z.union([z.literal('auto'), z.number().gt(0).max(0.5)]).default('auto'),
    seed: z.number().int().default(0),
  })
  .strict();

export type IsolationForestOptions = z.input<typeof optionsSchema>;

/** One isolation tree as flat arrays; node 0 is the root, `feature` −1 marks a leaf. */
export interface IsolationTreeState {
  readonly feature: number[];
  readonly threshold: number[];
  readonly left: number[];
  readonly right: number[];
  /** Training rows that reached each leaf (0 for inner nodes). */
  readonly size: number[];
}

/** Plain JSON: `JSON.parse(JSON.stringify(state))` loads into an identical forest. */
export interface IsolationForestState {
  readonly type: 'isolation-forest';
  readonly version: 1;
  readonly nFeatures: number;
  readonly maxSamples: number;
  /** Subtracted from `scoreSamples` to give `decisionFunction`: −0.5 for contamination `'auto'`. */
  readonly offset: number;
  readonly trees: IsolationTreeState[];
}

export interface IsolationForest {
  readonly state: IsolationForestState;
  /** sklearn's `score_samples`: −2^(−E[h(x)]/c(maxSamples)), in [−1, 0]; lower is more abnormal. */
  scoreSamples(rows: Rows): number[];
  /** sklearn's `decision_function`: `scoreSamples − offset`; negative means outlier. */
  decisionFunction(rows: Rows): number[];
  /** sklearn's `predict`: −1 for an outlier, 1 for an inlier. */
  predict(rows: Rows): (1 | -1)[];
}

/**
 * Average path length of an unsuccessful binary-search-tree search among `n` points, c(n), which
 * normalises isolation depths; exactly sklearn's `_average_path_length` (c(0) = c(1) = 0, c(2) = 1).
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n <= 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * Fits an isolation forest (Liu et al. 2008) as sklearn's `IsolationForest` does: each tree sees a
 * subsample, splits on a random non-constant feature at a uniform threshold, to depth
 * ceil(log2(maxSamples)). Seeded with omnifuse's RNG, so the trees differ from sklearn's.
 */
export function fitIsolationForest(rows: Rows, options: IsolationForestOptions = {}): IsolationForest {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      plugin: '@omnifuse/data',
      step: STEP,
    });
  }
  const { nEstimators, maxSamples, maxFeatures, contamination, seed } = parsed.data;
  if (rows.length === 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'no rows to fit',
      plugin: '@omnifuse/data',
      step: STEP,
    });
  }
  checkRows(STEP, rows, []);
  const nFeatures = rows[0]!.length;
  const samples = Math.min(maxSamples === 'auto' ? 256 : maxSamples, rows.length);
  const featuresPerTree = Math.max(1, Math.floor(maxFeatures * nFeatures));
  const maxDepth = Math.ceil(Math.log2(Math.max(samples, 2)));
  const root = createRng(seed);
  const indices = rows.map((_, i) => i);
  const features = Array.from({ length: nFeatures }, (_, i) => i);
  const trees: IsolationTreeState[] = [];
  for (let t = 0; t < nEstimators; t++) {
    const rng = root.fork(`tree:${t}`);
    const subsample = shuffled(indices, rng).slice(0, samples);
    const allowed =
      featuresPerTree === nFeatures ? features : shuffled(features, rng).slice(0, featuresPerTree);
    trees.push(growTree(rows, subsample, allowed, maxDepth, rng));
  }
  const draft: IsolationForestState = {
    type: STEP,
    version: 1,
    nFeatures,
    maxSamples: samples,
    offset: -0.5,
    trees,
  };
  if (contamination === 'auto') return loadIsolationForest(draft);
  const train = scoreAll(draft, rows).sort((a, b) => a - b);
  return loadIsolationForest({ ...draft, offset: quantile(train, contamination) });
}

/** A forest from saved state (checked), e.g. after `JSON.parse`. */
export function loadIsolationForest(state: IsolationForestState): IsolationForest {
  if (
    state?.type !== STEP ||
    state.version !== 1 ||
    !Array.isArray(state.trees) ||
    state.trees.length === 0
  ) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'not a saved isolation forest (type "isolation-forest", version 1, with trees)',
      plugin: '@omnifuse/data',
      step: STEP,
    });
  }
  const score = (rows: Rows) => {
    checkRows(STEP, rows, [], { width: state.nFeatures });
    return scoreAll(state, rows);
  };
  return {
    state,
    scoreSamples: score,
    decisionFunction: (rows) => score(rows).map((s) => s - state.offset),
    predict: (rows) => score(rows).map((s) => (s - state.offset < 0 ? -1 : 1)),
  };
}

function growTree(rows: Rows, subsample: number[], allowed: readonly number[], maxDepth: number, rng: Rng) {
  const tree: IsolationTreeState = { feature: [], threshold: [], left: [], right: [], size: [] };
  const grow = (members: number[], depth: number): number => {
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.size.push(members.length);
    if (members.length <= 1 || depth >= maxDepth) return node;
    // Like sklearn's random splitter: try features in random order, skip constant ones.
    for (const feature of shuffled(allowed, rng)) {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const i of members) {
        const v = rows[i]![feature]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (max <= min) continue;
      let threshold = min + rng.next() * (max - min);
      if (threshold >= max) threshold = min;
      const left = members.filter((i) => rows[i]![feature]! <= threshold);
      const right = members.filter((i) => rows[i]![feature]! > threshold);
      tree.feature[node] = feature;
      tree.threshold[node] = threshold;
      tree.size[node] = 0;
      tree.left[node] = grow(left, depth + 1);
      tree.right[node] = grow(right, depth + 1);
      return node;
    }
    return node;
  };
  grow(subsample, 0);
  return tree;
}

function scoreAll(state: IsolationForestState, rows: Rows): number[] {
  const normaliser = averagePathLength(state.maxSamples);
  return rows.map((row) => {
    let total = 0;
    for (const tree of state.trees) {
      let node = 0;
      let depth = 0;
      while (tree.feature[node]! >= 0) {
        node = row[tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
        depth++;
      }
      total += depth + averagePathLength(tree.size[node]!);
    }
    return -(2 ** (-total / state.trees.length / normaliser));
  });
}
