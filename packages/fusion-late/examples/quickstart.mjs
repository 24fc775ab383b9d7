// Late fusion with learned weights on two synthetic vector inputs, one of them sometimes missing.
import { createDataset, createRng } from '@omnifuse/core';
import latePlugins from '@omnifuse/fusion-late';
import { train } from '@omnifuse/trainer';

// Label 0/1; `a` carries it weakly, `b` (missing in every third record) strongly.
const rng = createRng(1);
const records = Array.from({ length: 120 }, (_, i) => {
  const label = i % 2;
  return {
    id: `r${i}`,
    a: [label + rng.normal(), rng.normal()],
    b: i % 3 === 0 ? null : [2 * label - 1 + 0.2 * rng.normal(), rng.normal()],
    label: label ? 'yes' : 'no',
  };
});
const result = await train({
  dataset: createDataset(records, { fieldTypes: { label: 'category' } }),
  registry: latePlugins,
  cache: false,
  backend: 'cpu',
  spec: {
    inputs: [
      { field: 'a', encoder: 'vector:mlp', options: { hidden: [8] } },
      { field: 'b', encoder: 'vector:mlp', options: { hidden: [8] }, optional: true },
    ],
    fusion: { type: 'fusion:late', options: { combine: 'learned', decisionDim: 4 } },
    output: { type: 'classification', field: 'label' },
    split: { type: 'random', ratios: { train: 1 }, seed: 1 },
    training: { epochs: 20, batchSize: 16, learningRate: 0.02, seed: 1 },
  },
});
const [both, onlyA] = await result.model.predict([
  { id: 'both', a: [1, 0], b: [1, 0] },
  { id: 'only-a', a: [1, 0], b: null },
]);
// Per-example weights over the present modalities: a missing modality gets exactly 0.
console.log(both.prediction, both.fusionWeights.a > 0 && both.fusionWeights.b > 0);
console.log(onlyA.fusionWeights);
result.model.dispose();
