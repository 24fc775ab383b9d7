import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** One rung of successive halving: how many configurations train, for how many epochs. */
export interface HalvingRung {
  readonly rung: number;
  readonly epochs: number;
  readonly configs: number;
}

export interface HalvingOptions {
  /** Configurations in the first rung. */
  readonly trials: number;
  readonly minEpochs: number;
  /** Each rung keeps the best 1/eta and trains eta times longer. */
  readonly eta: number;
  readonly maxEpochs: number;
}

/**
 * The rungs of successive halving: rung r trains ⌊n/ηʳ⌋ configurations (at least one) for
 * minEpochs·ηʳ epochs, and the last rung trains for exactly maxEpochs. With 9 trials, minEpochs 1,
 * η 3 and maxEpochs 9: 9 × 1, 3 × 3, 1 × 9 epochs.
 */
export function halvingSchedule(options: HalvingOptions): HalvingRung[] {
  const { trials, minEpochs, eta, maxEpochs } = options;
  const whole = (value: number, min: number) => Number.isInteger(value) && value >= min;
  if (!whole(trials, 1) || !whole(minEpochs, 1) || !whole(maxEpochs, minEpochs) || !whole(eta, 2)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message:
        'successive halving needs whole numbers with trials ≥ 1, 1 ≤ minEpochs ≤ maxEpochs and eta ≥ 2',
      path: 'strategy',
      found: { trials, minEpochs, eta, maxEpochs },
    });
  }
  const rungs: HalvingRung[] = [];
  let configs = trials;
  for (let rung = 0, epochs = minEpochs; ; rung++, epochs *= eta) {
    if (rung > 0) configs = Math.max(1, Math.floor(configs / eta));
    rungs.push({ rung, epochs: Math.min(epochs, maxEpochs), configs });
    if (epochs >= maxEpochs) return rungs;
  }
}
