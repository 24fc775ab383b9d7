// Quickstart: train a classifier from a JSONL manifest, save it as a bundle, load it, predict.
// Run from the repository root after `npm run build`:  node packages/trainer/examples/quickstart.mjs
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModel, train } from '@omnifuse/trainer';

// 1. Data: 2-D points around three centres, one JSON object per line. A real manifest would point
//    at images, audio or text next to it; any column can be an input or the label.
const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-quickstart-'));
const centres = [
  ['north', 0, 3],
  ['east', 3, 0],
  ['south', 0, -3],
];
let state = 7; // a tiny seeded generator, so every run sees the same data
const random = () => {
  state = (state * 48271) % 2147483647;
  return state / 2147483647;
};
const lines = Array.from({ length: 300 }, (_, i) => {
  const [label, x, y] = centres[i % 3];
  return JSON.stringify({ id: `p${i}`, point: [x + 2 * random() - 1, y + 2 * random() - 1], label });
});
writeFileSync(path.join(dir, 'points.jsonl'), `${lines.join('\n')}\n`);

// 2. Train: fits the encoder and the label map on the training split, trains, scores the test
//    split and saves a bundle (omnifuse.json + model.json + weights.bin).
const result = await train({
  spec: {
    inputs: [{ field: 'point', encoder: 'vector:mlp', options: { hidden: [16] } }],
    output: { type: 'classification', field: 'label' },
    split: { type: 'stratified', by: 'label', ratios: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 1 },
    training: {
      epochs: 15,
      batchSize: 16,
      learningRate: 0.01,
      earlyStopping: { monitor: 'val_loss', patience: 3 },
    },
  },
  manifestPath: path.join(dir, 'points.jsonl'),
  bundleDir: path.join(dir, 'model'),
  progress: true,
});
console.log(`backend ${result.backend}, test accuracy ${result.metrics.test.accuracy.toFixed(3)}`);

// 3. Later, in any process: load the bundle and predict on raw records.
const model = await loadModel(path.join(dir, 'model'));
const predictions = await model.predict([
  { id: 'a', point: [0.2, 2.8] },
  { id: 'b', point: [2.6, -0.3] },
]);
for (const p of predictions) {
  console.log(
    p.record,
    p.prediction,
    JSON.stringify(p.probabilities, (_, v) => (typeof v === 'number' ? +v.toFixed(3) : v)),
  );
}
