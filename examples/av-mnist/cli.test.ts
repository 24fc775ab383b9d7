// Issue acceptance: end to end from the `omnifuse` CLI on an AV-MNIST-style set built from
// ../shared/data — init, train, evaluate give a bundle, a JSON report and an HTML report — and the
// report's numbers agree with a recomputation from the CLI's own predictions.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeWithData } from '@omnifuse/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { buildAvMnist } from './build-dataset.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'packages/cli/src/cli.ts');
const tsx = path.join(root, 'node_modules/tsx/dist/esm/index.mjs');

function omnifuse(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', tsx, cli, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describeWithData(['mnist'], 'omnifuse CLI on AV-MNIST', () => {
  describeWithData(['fsdd', 'recordings'], 'init → train → evaluate → predict', () => {
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'av-mnist-cli-'));
      await buildAvMnist({
        train: 60,
        validation: 20,
        test: 40,
        pcaSamples: 3000,
        snr: -10,
        seed: 5,
        out: dir,
      });
    }, 120_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('writes a config, a bundle, report.json and report.html whose numbers match the predictions', async () => {
      // The manifest's provenance columns (MNIST index, FSDD clip name, mix gain) would leak the label.
      const init = await omnifuse(
        [
          'init',
          'manifest.jsonl',
          '--label',
          'label',
          '--ignore',
          'mnist,clip,gain',
          '--out',
          'omnifuse.json',
        ],
        dir,
      );
      expect(init.code, init.stderr).toBe(0);
      const config = JSON.parse(readFileSync(path.join(dir, 'omnifuse.json'), 'utf8'));
      const encoders = Object.fromEntries(
        config.inputs.map((i: { field: string; encoder: string }) => [i.field, i.encoder]),
      );
      expect(encoders).toEqual({ image: 'vision:cnn', audio: 'audio:cnn2d' });
      expect(config.fusion.type).toBe('fusion:concat');
      expect(config.split).toMatchObject({ type: 'column', column: 'split' });
      // Digits 0–9 spelled as numbers are taken as classes.
      expect(config.output).toMatchObject({ type: 'classification', field: 'label' });

      const train = await omnifuse(['train', 'omnifuse.json', '--out', 'model', '--epochs', '2'], dir);
      expect(train.code, train.stderr).toBe(0);
      expect(train.stderr.split('\n')[0]).toMatch(/backend/);
      expect(existsSync(path.join(dir, 'model', 'omnifuse.json'))).toBe(true);

      const evaluate = await omnifuse(
        ['evaluate', 'model', '--data', 'manifest.jsonl', '--report-dir', 'report'],
        dir,
      );
      expect(evaluate.code, evaluate.stderr).toBe(0);
      const report = JSON.parse(readFileSync(path.join(dir, 'report', 'report.json'), 'utf8'));
      const html = readFileSync(path.join(dir, 'report', 'report.html'), 'utf8');
      expect(html).toContain('<svg');

      const predict = await omnifuse(
        ['predict', 'model', '--data', 'manifest.jsonl', '--out', 'predictions.jsonl'],
        dir,
      );
      expect(predict.code, predict.stderr).toBe(0);
      const truth = new Map(
        readFileSync(path.join(dir, 'manifest.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
          .filter((r) => r.split === 'test')
          .map((r) => [r.id, r.label]),
      );
      const predictions = readFileSync(path.join(dir, 'predictions.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((p) => truth.has(p.id));
      expect(predictions).toHaveLength(40);
      const correct = predictions.filter((p) => p.prediction === truth.get(p.id)).length;
      expect(findNumber(report, 'accuracy')).toBeCloseTo(correct / predictions.length, 10);
      // The confusion matrix's cells add up to the test records, its diagonal to the correct ones.
      const matrix = findMatrix(report);
      expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(predictions.length);
      expect(matrix.reduce((sum, row, i) => sum + row[i]!, 0)).toBe(correct);
    }, 600_000);
  });
});

/** The first numeric `key` anywhere in the report (its metrics block). */
function findNumber(value: unknown, key: string): number {
  const seen: unknown[] = [value];
  while (seen.length > 0) {
    const next = seen.shift();
    if (next && typeof next === 'object') {
      const record = next as Record<string, unknown>;
      if (typeof record[key] === 'number') return record[key] as number;
      seen.push(...Object.values(record));
    }
  }
  throw new Error(`no ${key} in the report`);
}

/** The first square array of number arrays under a key named like "confusion". */
function findMatrix(value: unknown): number[][] {
  const seen: unknown[] = [value];
  while (seen.length > 0) {
    const next = seen.shift();
    if (next && typeof next === 'object') {
      for (const [key, inner] of Object.entries(next as Record<string, unknown>)) {
        if (/confusion/i.test(key)) {
          const candidate = (inner as { matrix?: unknown })?.matrix ?? inner;
          if (Array.isArray(candidate) && candidate.every((row) => Array.isArray(row)))
            return candidate as number[][];
        }
        seen.push(inner);
      }
    }
  }
  throw new Error('no confusion matrix in the report');
}
