import type * as tfjs from '@tensorflow/tfjs';

/**
 * A layer whose randomness (dropout masks) comes from its seed and a count of draws so far. The
 * count is the only random state outside (seed, epoch), so a training checkpoint saves it and a
 * resumed run puts it back to draw the same masks as an uninterrupted run.
 */
export interface SeededRandomLayer {
  getRandomState(): number;
  setRandomState(draws: number): void;
}

export function hasRandomState(layer: unknown): layer is SeededRandomLayer {
  const candidate = layer as Partial<SeededRandomLayer> | null;
  return typeof candidate?.getRandomState === 'function' && typeof candidate.setRandomState === 'function';
}

/** The rows of the whole batch the calling thread computes (data-parallel training). */
export interface BatchShard {
  /** First row of this shard in the whole batch. */
  readonly start: number;
  /** Rows of the whole batch (all shards). */
  readonly batchSize: number;
}

let currentShard: BatchShard | null = null;

/**
 * Declares that the training steps that follow compute rows `[start, start + shard rows)` of a
 * batch of `batchSize` (a data-parallel worker does, for its shard); null: the whole batch. The
 * seeded random layers then draw the whole batch's values and keep this shard's rows, so each row
 * gets the same dropout mask whichever thread or shard computes it.
 */
export function setBatchShard(shard: BatchShard | null): void {
  currentShard = shard;
}

export function batchShard(): BatchShard | null {
  return currentShard;
}

type TfRandom = Pick<typeof tfjs, 'randomUniform' | 'slice' | 'dropout' | 'div' | 'floor' | 'add' | 'mul'>;

/**
 * Uniform [0, 1) draws of `shape` (batch first) from `seed`: under a batch shard, the whole batch's
 * draws sliced to the shard's rows, so the values equal those one thread would draw for those rows.
 */
export function batchRandomUniform(tf: TfRandom, shape: readonly number[], seed: number): tfjs.Tensor {
  const shard = currentShard;
  if (!shard) return tf.randomUniform(shape as number[], 0, 1, 'float32', seed);
  const whole = tf.randomUniform([shard.batchSize, ...shape.slice(1)], 0, 1, 'float32', seed);
  return tf.slice(whole, [shard.start, ...shape.slice(1).map(() => 0)], [shape[0]!, ...shape.slice(1)]);
}

/** `tf.dropout(x, rate, undefined, seed)` (x batch first), with the mask drawn by `batchRandomUniform`. */
export function batchDropout(tf: TfRandom, x: tfjs.Tensor, rate: number, seed: number): tfjs.Tensor {
  if (!currentShard) return tf.dropout(x, rate, undefined, seed);
  // tfjs's dropout, term for term: x · floor(u + keep) / keep.
  const keep = 1 - rate;
  return tf.mul(x, tf.div(tf.floor(tf.add(batchRandomUniform(tf, x.shape, seed), keep)), keep));
}
