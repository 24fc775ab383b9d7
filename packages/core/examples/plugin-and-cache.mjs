// Runs as is from the repository root after `npm run build`: node packages/core/examples/plugin-and-cache.mjs
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createDataset,
  createFeatureCache,
  createRegistry,
  ErrorCode,
  OmnifuseError,
  preprocessField,
  splitDataset,
  vectorEncoderPlugin,
} from '@omnifuse/core';

// 1. A third-party encoder plugin: a plain object whose factory validates options.
const charCountPlugin = {
  specificationVersion: 'v1',
  kind: 'encoder',
  id: 'text:char-count',
  modality: 'text',
  create(options = {}) {
    const alphabet = options.alphabet ?? 'abcdefghijklmnopqrstuvwxyz';
    if (typeof alphabet !== 'string' || alphabet.length === 0) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: 'alphabet must be a non-empty string',
      });
    }
    return {
      specificationVersion: 'v1',
      id: 'text:char-count',
      modality: 'text',
      version: '1',
      options: { alphabet },
      fit: () => ({ size: alphabet.length }),
      featureSpec: (state) => ({ dtype: 'float32', shape: [state.size] }),
      preprocess(text, state, { record, field }) {
        if (typeof text !== 'string') {
          throw new OmnifuseError({ code: ErrorCode.InvalidInput, message: 'not text', record, field });
        }
        const counts = new Float32Array(state.size);
        for (const ch of text.toLowerCase()) if (alphabet.includes(ch)) counts[alphabet.indexOf(ch)] += 1;
        return { dtype: 'float32', shape: [state.size], data: counts };
      },
      build: ({ tf, input, name }) => ({
        kind: 'vector',
        output: tf.layers.dense({ units: 8, activation: 'relu', name: `${name}/dense` }).apply(input),
        dim: 8,
      }),
    };
  },
};

// 2. An instance-scoped registry: the built-in vector encoder plus ours; a missing id names what exists.
const registry = createRegistry([vectorEncoderPlugin, charCountPlugin]);
try {
  registry.encoder('text:bert');
} catch (error) {
  console.log(`${error.code}: ${error.message}`);
}

// 3. A dataset in code, split by group so one speaker never lands in two splits.
const speakers = ['george', 'jackson', 'nicolas', 'theo', 'yweweler'];
const records = Array.from({ length: 50 }, (_, i) => ({
  id: `r${i}`,
  speaker: speakers[i % 5],
  transcript: `${['zero', 'one', 'two', 'three', 'four'][i % 5]} (take ${i})`,
  label: String(i % 5),
}));
const dataset = createDataset(records);
const split = splitDataset(dataset, {
  type: 'group',
  by: 'speaker',
  ratios: { train: 0.6, validation: 0.2, test: 0.2 },
  seed: 1,
});
const speakersOf = (indices) => [...new Set(indices.map((i) => records[i].speaker))].join(', ');
console.log(`train speakers: ${speakersOf(split.train)} | test speakers: ${speakersOf(split.test)}`);

// 4. Fit on the training split only, then preprocess through the feature cache twice: the second
//    pass computes nothing. Keys are content hashes (input, encoder id/version/options, state).
const encoder = registry.encoder('text:char-count').create({});
const state = await encoder.fit(
  split.datasets.train.records.map((r) => r.transcript),
  { field: 'transcript' },
);
const cache = createFeatureCache({ dir: mkdtempSync(path.join(os.tmpdir(), 'omnifuse-cache-')) });
for (const pass of [1, 2]) {
  const batch = await preprocessField(dataset, 'transcript', encoder, state, { cache });
  console.log(
    `pass ${pass}: shape [${batch.shape}], computed ${batch.stats.computed}, cache hits ${batch.stats.hits}`,
  );
}
