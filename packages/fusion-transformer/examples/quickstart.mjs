// A multimodal transformer over a review's text tokens and a numeric vector, trained in code.
import { createDataset } from '@omnifuse/core';
import transformerFusion from '@omnifuse/fusion-transformer';
import textPlugins from '@omnifuse/modality-text';
import { train } from '@omnifuse/trainer';

// Whether a restaurant visit went well: the review's words say so, unless the text is missing, and
// the bill and the wait ([euros / 100, minutes / 60]) say so too.
const good = ['great food', 'lovely staff', 'really great place', 'friendly and fast', 'loved it'];
const bad = ['cold food', 'rude staff', 'really slow service', 'dirty and loud', 'hated it'];
const records = [...good, ...bad].flatMap((text, i) =>
  [0, 1, 2, 3].map((copy) => ({
    id: `${i}-${copy}`,
    text: copy === 3 ? null : text, // every fourth review has no text
    visit: i < good.length ? [0.3 + 0.05 * copy, 0.2] : [0.6 - 0.05 * copy, 0.9],
    label: i < good.length ? 'good' : 'bad',
  })),
);

const result = await train({
  dataset: createDataset(records, { fieldTypes: { text: 'text', visit: 'vector', label: 'category' } }),
  registry: [textPlugins, transformerFusion],
  cache: false,
  backend: 'cpu',
  spec: {
    inputs: [
      // A sequence encoder: its tokens (and padding mask) enter the fusion as they are.
      {
        field: 'text',
        encoder: 'text:transformer',
        options: { maxLength: 6, dim: 16, heads: 2, ffDim: 32, blocks: 1 },
        optional: true,
      },
      // A vector encoder: its output becomes one token.
      { field: 'visit', encoder: 'vector:mlp', options: { hidden: [16] } },
    ],
    fusion: {
      type: 'fusion:transformer',
      options: { dim: 16, numHeads: 2, ffDim: 32, layers: 1, crossAttention: true, modalityDropout: 0.2 },
    },
    output: { type: 'classification', field: 'label' },
    split: { type: 'random', ratios: { train: 1 }, seed: 1 },
    training: { epochs: 12, batchSize: 8, learningRate: 0.01, seed: 1 },
  },
});

// A missing text is never attended to: the [CLS] token reads the visit alone.
const predictions = await result.model.predict([
  { id: 'a', text: 'great staff and lovely food', visit: [0.35, 0.2] },
  { id: 'b', text: 'the service was rude and slow', visit: [0.55, 0.9] },
  { id: 'c', text: null, visit: [0.3, 0.2] },
]);
for (const p of predictions) console.log(p.record, p.prediction);
result.model.dispose();
