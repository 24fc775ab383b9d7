// Tensor fusion on a label that only the interaction of two fields decides (the sign of x · y).
import { createDataset, createRng } from '@omnifuse/core';
import tensorPlugins from '@omnifuse/fusion-tensor';
import { train } from '@omnifuse/trainer';

const rng = createRng(5);
const records = Array.from({ length: 400 }, (_, i) => {
  const x = rng.normal();
  const y = rng.normal();
  return { id: `r${i}`, x: [x, rng.normal()], y: [y, rng.normal()], label: x * y > 0 ? 'same' : 'opposite' };
});
const dataset = createDataset(records, { fieldTypes: { label: 'category' } });

for (const fusion of [
  // (4 + 1) × (4 + 1) = 25 values: every x-term times every y-term, plus each alone.
  { type: 'fusion:tensor', options: { dim: 4 } },
  // Liu et al.'s low-rank factors: a 16-wide output without forming the product.
  { type: 'fusion:low-rank-tensor', options: { rank: 4, outputDim: 16 } },
]) {
  const result = await train({
    dataset,
    registry: tensorPlugins,
    cache: false,
    backend: 'cpu',
    spec: {
      inputs: [
        { field: 'x', encoder: 'vector:mlp', options: { hidden: [] } },
        { field: 'y', encoder: 'vector:mlp', options: { hidden: [] } },
      ],
      fusion,
      output: { type: 'classification', field: 'label' },
      split: { type: 'random', ratios: { train: 0.8, test: 0.2 }, seed: 1 },
      training: { epochs: 30, batchSize: 32, learningRate: 0.02, seed: 1 },
    },
  });
  const predictions = await result.model.predict([
    { id: 'a', x: [1.2, 0], y: [0.8, 0] },
    { id: 'b', x: [-1.0, 0], y: [0.9, 0] },
  ]);
  console.log(
    fusion.type,
    `test accuracy ${result.metrics.test.accuracy.toFixed(2)}`,
    predictions.map((p) => `${p.record}: ${p.prediction}`).join(', '),
  );
  result.model.dispose();
}
