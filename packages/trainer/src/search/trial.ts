import type { SplitMetrics } from './metric.js';
import type { SearchParams } from './space.js';

/** One finished trial: a configuration trained once (for halving, once per rung). */
export interface SearchTrial {
  /** `t003` (grid, random) or `t003-r1` (halving: configuration 3, rung 1). */
  readonly id: string;
  /** Index of the configuration, from 1. */
  readonly config: number;
  /** Halving only: the rung. */
  readonly rung?: number;
  readonly params: SearchParams;
  /** `failed`: the spec was invalid, training threw, or the metric was missing; see `error`. */
  readonly status: 'ok' | 'failed';
  /** The search metric, or null for a failed trial. */
  readonly value: number | null;
  readonly metrics: SplitMetrics;
  /** Epochs trained (fewer than `budget` when early stopping ended the run). */
  readonly epochs: number;
  /** `training.epochs` of the trial's spec. */
  readonly budget: number;
  readonly seconds: number;
  readonly error?: { readonly code?: string; readonly message: string };
  /** Hash of the trial's spec: a rerun reuses the trial only when it is unchanged. */
  readonly specHash: string;
}
