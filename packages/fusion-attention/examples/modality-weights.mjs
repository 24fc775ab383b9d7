// Attention fusion over two vector fields: which field does each prediction rely on?
import { createDataset, createRng } from '@omnifuse/core';
import attentionPlugins from '@omnifuse/fusion-attention';
import { train } from '@omnifuse/trainer';

// `signal` decides the label; `noise` is random and missing from every fourth record.
const rng = createRng(3);
const records = Array.from({ length: 240 }, (_, i) => {
  const label = i % 2;
  return {
    id: `r${i}`,
    signal: [2 * label - 1 + 0.3 * rng.normal(), rng.normal()],
    noise: i % 4 === 3 ? null : [rng.normal(), rng.normal(), rng.normal()],
    label: label ? 'yes' : 'no',
  };
});

const result = await train({
  dataset: createDataset(records, { fieldTypes: { label: 'category' } }),
  registry: attentionPlugins,
  cache: false,
  backend: 'cpu',
  spec: {
    inputs: [
      { field: 'signal', encoder: 'vector:mlp', options: { hidden: [8] } },
      { field: 'noise', encoder: 'vector:mlp', options: { hidden: [8] }, optional: true },
    ],
    // fusion:gmu takes { dim, modalityDropout } and reports its mean gates the same way.
    fusion: { type: 'fusion:attention', options: { dim: 8, hidden: 8, modalityDropout: 0.1 } },
    output: { type: 'classification', field: 'label' },
    split: { type: 'random', ratios: { train: 1 }, seed: 1 },
    training: { epochs: 20, batchSize: 16, learningRate: 0.01, seed: 1 },
  },
});

const predictions = await result.model.predict([
  { id: 'both', signal: [0.9, 0.1], noise: [0.5, -1.2, 0.3] },
  { id: 'no-noise', signal: [-1.1, 0.4], noise: null },
]);
for (const p of predictions) {
  const weights = Object.entries(p.fusionWeights).map(([field, w]) => `${field} ${w.toFixed(2)}`);
  console.log(p.record, p.prediction, weights.join(', '));
}
result.model.dispose();
