import { createRng } from '@omnifuse/core';
import { UMAP } from 'umap-js';
import { checkRows, type Rows, valueError } from '../step.js';
import { fitPca, transformPca } from '../steps/decompose.js';

export interface Embed2dOptions {
  /** `umap` (default; umap-js) or `pca` (first two principal components, exact and fast). */
  readonly method?: 'umap' | 'pca';
  /** Seed of UMAP's random numbers (core's `createRng`); same seed ⇒ same points. Default 0. */
  readonly seed?: number;
  /** UMAP neighbours (default 15, capped at rows − 1). */
  readonly nNeighbors?: number;
  /** UMAP minimum distance between embedded points (default 0.1). */
  readonly minDist?: number;
}

/** Two-dimensional coordinates of each row, for scatter plots (not a pipeline step). */
export function embed2d(rows: Rows, options: Embed2dOptions = {}): { points: [number, number][] } {
  const { method = 'umap', seed = 0, minDist = 0.1 } = options;
  const width = rows[0]?.length ?? 0;
  const names = Array.from({ length: width }, (_, i) => `x${i}`);
  if (rows.length < 3) throw valueError('embed2d', `needs at least 3 rows; got ${rows.length}`, 0, 'rows');
  checkRows('embed2d', rows, names);
  if (method === 'pca') {
    const state = fitPca(rows, { nComponents: Math.min(2, width), whiten: false }, 'embed2d');
    return { points: transformPca(rows, state, false).map((row) => [row[0]!, row[1] ?? 0]) };
  }
  const nNeighbors = Math.min(options.nNeighbors ?? 15, rows.length - 1);
  const umap = new UMAP({ nComponents: 2, nNeighbors, minDist, random: createRng(seed).next });
  const embedding = umap.fit(rows.map((row) => [...row]));
  return { points: embedding.map((point) => [point[0]!, point[1]!]) };
}
