// Early fusion on two synthetic vector inputs, one sometimes missing and replaced by a learned stand-in.
import { createDataset, createRng } from '@omnifuse/core';
import concatPlugins from '@omnifuse/fusion-concat';
import { train } from '@omnifuse/trainer';

// Label 0/1, carried by both inputs; `b` is missing in every third record.
const rng = createRng(1);
const records = Array.from({ length: 120 }, (_, i) => {
  const label = i % 2;
  return {
    id: `r${i}`,
    a: [label + 0.3 * rng.normal(), rng.normal(), rng.normal()],
    b: i % 3 === 0 ? null : [2 * label - 1 + 0.3 * rng.normal(), rng.normal()],
    label: label ? 'yes' : 'no',
  };
});
const result = await train({
  dataset: createDataset(records, { fieldTypes: { label: 'category' } }),
  registry: concatPlugins,
  cache: false,
  backend: 'cpu',
  spec: {
    inputs: [
      { field: 'a', encoder: 'vector:mlp', options: { hidden: [8] } },
      { field: 'b', encoder: 'vector:mlp', options: { hidden: [8] }, optional: true },
    ],
    fusion: {
      type: 'fusion:concat',
      options: {
        projection: 8,
        layerNorm: true,
        activation: 'relu',
        missing: 'embedding',
        modalityDropout: 0.2,
      },
    },
    output: { type: 'classification', field: 'label' },
    split: { type: 'random', ratios: { train: 1 }, seed: 1 },
    training: { epochs: 20, batchSize: 16, learningRate: 0.02, seed: 1 },
  },
});
const predictions = await result.model.predict([
  { id: 'both', a: [1, 0, 0], b: [1, 0] },
  { id: 'only-a', a: [1, 0, 0], b: null },
  { id: 'no', a: [0, 0, 0], b: [-1, 0] },
]);
for (const p of predictions) console.log(p.record, p.prediction);
result.model.dispose();
