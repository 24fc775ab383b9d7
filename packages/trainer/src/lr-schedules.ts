import { ErrorCode, type LrSchedule, OmnifuseError } from '@omnifuse/core';
import { monitorMode } from './best-epoch.js';

/** What a schedule remembers between epochs, as JSON (only reduce-on-plateau has any). */
export interface LrSchedulerState {
  readonly lr: number;
  readonly best?: number;
  readonly badEpochs?: number;
  readonly cooldownLeft?: number;
}

/**
 * The learning rate of every step. Step-wise schedules (`cosine`, `one-cycle`) are pure functions
 * of the global step, epoch-wise ones of the epoch, and reduce-on-plateau keeps its counters in
 * `state()`, so a resumed run recomputes exactly the rates an uninterrupted one used.
 */
export interface LrScheduler {
  /** Learning rate of batch `batch` (0-based) of epoch `epoch`. */
  lrAt(epoch: number, batch: number): number;
  /** Tells the schedule an epoch's metrics once it ends (reduce-on-plateau decides here). */
  epochEnd(metrics: Readonly<Record<string, number>>): void;
  state(): LrSchedulerState;
  load(state: LrSchedulerState): void;
}

export interface LrSchedulerContext {
  readonly learningRate: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
}

/** Follows PyTorch's StepLR, CosineAnnealingLR (after a linear warm-up), OneCycleLR and ReduceLROnPlateau. */
export function createLrScheduler(
  schedule: LrSchedule | undefined,
  context: LrSchedulerContext,
): LrScheduler {
  const { learningRate: base, epochs, stepsPerEpoch } = context;
  const totalSteps = epochs * stepsPerEpoch;
  const pure = (lrAt: (step: number, epoch: number) => number): LrScheduler => ({
    lrAt: (epoch, batch) => lrAt(epoch * stepsPerEpoch + batch, epoch),
    epochEnd: () => {},
    state: () => ({ lr: base }),
    load: () => {},
  });
  switch (schedule?.type ?? 'constant') {
    case 'constant':
      return pure(() => base);
    case 'step': {
      const { stepSize, gamma } = schedule as Extract<LrSchedule, { type: 'step' }>;
      return pure((_, epoch) => base * gamma ** Math.floor(epoch / stepSize));
    }
    case 'cosine': {
      const s = schedule as Extract<LrSchedule, { type: 'cosine' }>;
      const warmup = Math.min(totalSteps, s.warmupSteps ?? Math.round((s.warmupEpochs ?? 0) * stepsPerEpoch));
      const decaySteps = Math.max(1, totalSteps - warmup);
      return pure((step) => {
        // Linear warm-up to the base rate on the last warm-up step, then cosine towards minLr.
        if (step < warmup) return (base * (step + 1)) / warmup;
        const progress = (step - warmup) / decaySteps;
        return s.minLr + ((base - s.minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
      });
    }
    case 'one-cycle': {
      const s = schedule as Extract<LrSchedule, { type: 'one-cycle' }>;
      const maxLr = s.maxLr ?? base;
      const initial = maxLr / s.divFactor;
      const final = initial / s.finalDivFactor;
      const phases = [
        { end: s.pctStart * totalSteps - 1, from: initial, to: maxLr },
        { end: totalSteps - 1, from: maxLr, to: final },
      ];
      const anneal = (from: number, to: number, pct: number) =>
        to + ((from - to) / 2) * (Math.cos(Math.PI * pct) + 1);
      return pure((step) => {
        let start = 0;
        for (const [i, phase] of phases.entries()) {
          if (step <= phase.end || i === phases.length - 1) {
            return anneal(phase.from, phase.to, (step - start) / (phase.end - start));
          }
          start = phase.end;
        }
        return final;
      });
    }
    case 'reduce-on-plateau':
      return plateau(schedule as Extract<LrSchedule, { type: 'reduce-on-plateau' }>, base);
  }
}

function plateau(s: Extract<LrSchedule, { type: 'reduce-on-plateau' }>, base: number): LrScheduler {
  const mode = monitorMode(s.monitor);
  let lr = base;
  let best = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let badEpochs = 0;
  let cooldownLeft = 0;
  return {
    lrAt: () => lr,
    epochEnd(metrics) {
      const value = metrics[s.monitor];
      if (value === undefined) {
        throw new OmnifuseError({
          code: ErrorCode.Training,
          message: `the metric "${s.monitor}" reduce-on-plateau watches is not computed${s.monitor.startsWith('val_') ? ' (is there a validation split?)' : ''}`,
          path: 'training.lrSchedule.monitor',
          expected: Object.keys(metrics),
          found: s.monitor,
        });
      }
      const better = mode === 'min' ? value < best * (1 - s.threshold) : value > best * (1 + s.threshold);
      if (better) {
        best = value;
        badEpochs = 0;
      } else {
        badEpochs++;
      }
      if (cooldownLeft > 0) {
        cooldownLeft--;
        badEpochs = 0;
      }
      if (badEpochs > s.patience) {
        const reduced = Math.max(lr * s.factor, s.minLr);
        if (lr - reduced > 1e-8) lr = reduced;
        cooldownLeft = s.cooldown;
        badEpochs = 0;
      }
    },
    state: () => ({ lr, best, badEpochs, cooldownLeft }),
    load(state) {
      lr = state.lr;
      best = state.best ?? best;
      badEpochs = state.badEpochs ?? 0;
      cooldownLeft = state.cooldownLeft ?? 0;
    },
  };
}
