import { readFileSync } from 'node:fs';
import { createDataset } from '@omnifuse/core';
import { sharedDataPath } from '@omnifuse/test-utils';
import { train } from '@omnifuse/trainer';
import { expect } from 'vitest';

/** Review sentences (in the style of the sentiment data), so the kit runs without the shared data. */
export const SENTENCES = [
  'Wow... Loved this place.',
  'Crust is not good.',
  'The selection on the menu was great and so were the prices.',
  'Not tasty and the texture was just nasty.',
  'Stopped by during the late May bank holiday off Rick Steve recommendation and loved it.',
  "Honeslty it didn't taste THAT fresh.",
  'The potatoes were like rubber and you could tell they had been made up ahead of time.',
  'A great touch.',
];

export const BAD_TEXT_INPUTS = [
  { value: 42, reason: 'a number' },
  { value: null, reason: 'null' },
  { value: { text: 'hello' }, reason: 'an object' },
];

/**
 * The first `count` rows of a sentiment file (`sentence<TAB>score`, header first). Call only inside
 * `describeWithData('sentiment', …)`.
 */
export function sentimentRows(file: string, count: number): { sentence: string; score: string }[] {
  const lines = readFileSync(sharedDataPath('sentiment', file), 'utf8').split('\n');
  return lines
    .slice(1)
    .filter((line) => line.trim().length > 0)
    .slice(0, count)
    .map((line) => {
      const [sentence, score] = line.split('\t') as [string, string];
      return { sentence, score: score.trim() };
    });
}

/**
 * Trains a text encoder on the first 200 Yelp sentences (160 train, 40 validation) on wasm and
 * checks that the training loss falls; returns the per-epoch losses.
 */
export async function expectTrainingLossFalls(
  encoder: string,
  options: Record<string, unknown>,
  epochs = 6,
): Promise<number[]> {
  const { registry } = await import('./test-registry.js');
  const records = sentimentRows('yelp_labelled.txt', 200).map((row, i) => ({
    id: i,
    text: row.sentence,
    label: row.score,
    split: i % 5 === 4 ? 'validation' : 'train',
  }));
  const dataset = createDataset(records, {
    fieldTypes: { text: 'text', label: 'category', split: 'category' },
  });
  const result = await train({
    dataset,
    registry,
    backend: 'wasm',
    cache: false,
    spec: {
      inputs: [{ field: 'text', encoder, options }],
      output: { type: 'classification', field: 'label' },
      split: { type: 'column', column: 'split' },
      training: { epochs, batchSize: 16, learningRate: 0.005, seed: 1 },
    },
  });
  try {
    const losses = result.history.epochs.map((e) => e.loss!);
    expect(losses.every(Number.isFinite), `losses ${losses}`).toBe(true);
    expect(losses.at(-1)!, `losses ${losses}`).toBeLessThan(losses[0]! * 0.8);
    return losses;
  } finally {
    result.model.dispose();
  }
}
