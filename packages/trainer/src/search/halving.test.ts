import { ErrorCode } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { halvingSchedule } from './halving.js';

describe('halvingSchedule', () => {
  it('keeps 1/eta of the configurations and multiplies the epochs by eta each rung', () => {
    expect(halvingSchedule({ trials: 9, minEpochs: 1, eta: 3, maxEpochs: 9 })).toEqual([
      { rung: 0, epochs: 1, configs: 9 },
      { rung: 1, epochs: 3, configs: 3 },
      { rung: 2, epochs: 9, configs: 1 },
    ]);
    expect(
      halvingSchedule({ trials: 27, minEpochs: 2, eta: 3, maxEpochs: 54 }).map((r) => [r.configs, r.epochs]),
    ).toEqual([
      [27, 2],
      [9, 6],
      [3, 18],
      [1, 54],
    ]);
  });

  it('caps the last rung at maxEpochs and keeps at least one configuration', () => {
    expect(halvingSchedule({ trials: 4, minEpochs: 1, eta: 3, maxEpochs: 5 })).toEqual([
      { rung: 0, epochs: 1, configs: 4 },
      { rung: 1, epochs: 3, configs: 1 },
      { rung: 2, epochs: 5, configs: 1 },
    ]);
    expect(halvingSchedule({ trials: 5, minEpochs: 4, eta: 2, maxEpochs: 4 })).toEqual([
      { rung: 0, epochs: 4, configs: 5 },
    ]);
  });

  it('rejects a schedule that cannot run', () => {
    for (const bad of [
      { trials: 0, minEpochs: 1, eta: 3, maxEpochs: 9 },
      { trials: 9, minEpochs: 5, eta: 3, maxEpochs: 4 },
      { trials: 9, minEpochs: 1, eta: 1, maxEpochs: 9 },
    ]) {
      expect(() => halvingSchedule(bad)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidOptions }));
    }
  });
});
