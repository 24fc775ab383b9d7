import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** Metrics ending in `loss` are minimised; anything else (accuracy, …) is maximised. */
export function monitorMode(monitor: string): 'min' | 'max' {
  return /loss$/i.test(monitor) ? 'min' : 'max';
}

/**
 * Follows one metric across epochs: which epoch was best, and how many epochs have passed without
 * an improvement of more than `minDelta` (the early-stopping count).
 */
export class BestEpochTracker {
  readonly mode: 'min' | 'max';
  bestEpoch = -1;
  bestValue: number;
  /** Epochs since the last improvement. */
  wait = 0;

  constructor(
    readonly monitor: string,
    readonly minDelta = 0,
  ) {
    this.mode = monitorMode(monitor);
    this.bestValue = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /** Records an epoch's metrics; true when it is the new best. */
  update(epoch: number, metrics: Readonly<Record<string, number>>): boolean {
    const value = metrics[this.monitor];
    if (value === undefined) {
      throw new OmnifuseError({
        code: ErrorCode.Training,
        message: `the monitored metric "${this.monitor}" is not computed${this.monitor.startsWith('val_') ? ' (is there a validation split?)' : ''}`,
        path: 'training.monitor',
        expected: Object.keys(metrics),
        found: this.monitor,
      });
    }
    const improved =
      this.bestEpoch < 0 ||
      (this.mode === 'min' ? value < this.bestValue - this.minDelta : value > this.bestValue + this.minDelta);
    if (improved) {
      this.bestEpoch = epoch;
      this.bestValue = value;
      this.wait = 0;
    } else {
      this.wait++;
    }
    return improved;
  }
}
