import type { LrSchedule } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import reference from './fixtures/torch-reference.json' with { type: 'json' };
import { createLrScheduler } from './lr-schedules.js';

// Learning-rate traces of torch.optim.lr_scheduler (scripts/optimizer-reference.py), base rate 0.1.
describe('learning-rate schedules', () => {
  for (const name of ['one-cycle', 'cosine', 'step'] as const) {
    it(`${name} matches PyTorch step by step`, () => {
      const ref = reference.schedules[name];
      const scheduler = createLrScheduler(ref.spec as LrSchedule, {
        learningRate: 0.1,
        epochs: ref.epochs,
        stepsPerEpoch: ref.stepsPerEpoch,
      });
      const ours: number[] = [];
      for (let epoch = 0; epoch < ref.epochs; epoch++)
        for (let batch = 0; batch < ref.stepsPerEpoch; batch++) ours.push(scheduler.lrAt(epoch, batch));
      ours.forEach((lr, i) => {
        expect(lr).toBeCloseTo(ref.lrs[i]!, 10);
      });
    });
  }

  it('reduce-on-plateau matches PyTorch epoch by epoch, and resumes from its state', () => {
    const ref = reference.schedules['reduce-on-plateau'];
    const context = { learningRate: 0.1, epochs: ref.metrics.length, stepsPerEpoch: 3 };
    const scheduler = createLrScheduler(ref.spec as LrSchedule, context);
    const ours: number[] = [];
    ref.metrics.forEach((value, epoch) => {
      ours.push(scheduler.lrAt(epoch, 2));
      scheduler.epochEnd({ val_loss: value });
      if (epoch === 5) {
        // A scheduler restored from JSON carries on where this one is.
        const restored = createLrScheduler(ref.spec as LrSchedule, context);
        restored.load(JSON.parse(JSON.stringify(scheduler.state())));
        expect(restored.state()).toEqual(scheduler.state());
      }
    });
    expect(ours).toEqual(ref.lrs);
  });

  it('warms up linearly before the cosine decay', () => {
    const scheduler = createLrScheduler(
      { type: 'cosine', warmupEpochs: 1, minLr: 0 },
      { learningRate: 1, epochs: 3, stepsPerEpoch: 4 },
    );
    expect([0, 1, 2, 3].map((b) => scheduler.lrAt(0, b))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(scheduler.lrAt(1, 0)).toBe(1);
    expect(scheduler.lrAt(2, 0)).toBeCloseTo(0.5, 12);
  });

  it('names the missing metric a plateau schedule watches', () => {
    const scheduler = createLrScheduler(
      {
        type: 'reduce-on-plateau',
        monitor: 'val_loss',
        factor: 0.1,
        patience: 2,
        minLr: 0,
        cooldown: 0,
        threshold: 1e-4,
      },
      { learningRate: 1, epochs: 3, stepsPerEpoch: 4 },
    );
    expect(() => scheduler.epochEnd({ loss: 1 })).toThrow(/validation split/);
  });
});
