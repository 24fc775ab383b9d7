// Trains text classifiers on the "Sentiment Labelled Sentences" data (Kotzias et al., KDD 2015):
// 3,000 Amazon, IMDb and Yelp review sentences labelled positive/negative, with a seeded 80/20
// split stratified by label, and scores each model on the held-out 20%.
// Needs ../shared/data/sentiment (or SENTIMENT_DIR).
//   node --conditions=@omnifuse/source --import tsx packages/modality-text/examples/sentiment.mjs
// Flags (defaults shown): --models=tfidf,cnn --epochs=<per model> --seed=1 --out=<tmp dir>
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataset, splitDataset } from '@omnifuse/core';
import textPlugins from '@omnifuse/modality-text';
import { selectBackend } from '@omnifuse/runtime';
import { train } from '@omnifuse/trainer';

const flags = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    return [key, value];
  }),
);
const models = (flags.models ?? 'tfidf,cnn').split(',');
const seed = Number(flags.seed ?? 1);
const here = path.dirname(fileURLToPath(import.meta.url));
const folder = path.resolve(
  process.env.SENTIMENT_DIR ?? path.join(here, '../../../../shared/data/sentiment'),
);
const outDir = path.resolve(flags.out ?? path.join(os.tmpdir(), 'omnifuse-sentiment'));
mkdirSync(outDir, { recursive: true });

// 1. The data: `sentence<TAB>score` lines; every file starts with a header line, some sentences
//    end in spaces, and the files use CRLF. One record per sentence, its source kept as a column.
const records = [];
for (const source of ['amazon_cells', 'imdb', 'yelp']) {
  const lines = readFileSync(path.join(folder, `${source}_labelled.txt`), 'utf8').split('\n');
  for (const [i, line] of lines.entries()) {
    const [sentence, score] = line.replace(/\r$/, '').split('\t');
    if (i === 0 && score === 'score') continue; // the header
    if (score !== '0' && score !== '1') continue; // the empty last line
    records.push({
      id: `${source}-${i}`,
      text: sentence,
      label: score === '1' ? 'positive' : 'negative',
      source,
    });
  }
}
const dataset = createDataset(records, {
  fieldTypes: { text: 'text', label: 'category', source: 'category' },
});
const split = { type: 'stratified', by: 'label', ratios: { train: 0.8, test: 0.2 }, seed };
const parts = splitDataset(dataset, split);
console.log(
  `${records.length} sentences from ${folder}: ${parts.train.length} train, ${parts.test.length} test ` +
    '(stratified by label)',
);

const backend = await selectBackend('auto');
console.log(`backend ${backend.name} (${backend.package} ${backend.version})`);

// 2. The models. text:tfidf is scikit-learn's TfidfVectorizer (same vocabulary, idf and l2 rows)
//    followed by a dense projection; text:cnn learns word embeddings and runs parallel 3/4/5-word
//    convolutions max-pooled over the sentence (Kim, 2014).
const configs = {
  tfidf: {
    encoder: 'text:tfidf',
    // Unigrams and bigrams, sublinear tf; a 32-unit projection with dropout 0.5.
    options: { tfidf: { ngramRange: [1, 2], sublinearTf: true }, projection: { units: 32, dropout: 0.5 } },
    head: { hidden: [], dropout: 0 },
    epochs: 4,
    learningRate: 0.002,
  },
  cnn: {
    encoder: 'text:cnn',
    // 64-d embeddings learned from scratch, 32 filters each of widths 3, 4 and 5; dropout 0.5 in the head.
    options: { maxLength: 48, dim: 64, kernelSizes: [3, 4, 5], filters: 32 },
    head: { hidden: [], dropout: 0.5 },
    epochs: 6,
    learningRate: 0.002,
  },
};

const results = [];
for (const name of models) {
  const config = configs[name];
  if (!config) throw new Error(`unknown model ${name}; choose from ${Object.keys(configs).join(', ')}`);
  const epochs = Number(flags.epochs ?? config.epochs);
  console.log(`\n${config.encoder}`);
  const started = performance.now();
  const result = await train({
    dataset,
    registry: textPlugins,
    backend: backend.name,
    cache: path.join(outDir, 'cache'),
    spec: {
      inputs: [{ field: 'text', encoder: config.encoder, options: config.options }],
      output: { type: 'classification', field: 'label', head: config.head },
      split,
      training: { epochs, batchSize: 32, learningRate: config.learningRate, seed },
    },
    callbacks: [
      {
        onEpochEnd: ({ epoch, metrics, seconds }) =>
          console.log(
            `epoch ${epoch + 1}/${epochs}: loss ${metrics.loss.toFixed(4)} acc ${metrics.accuracy.toFixed(4)} ` +
              `(${seconds.toFixed(1)} s)`,
          ),
      },
    ],
  });
  const wall = (performance.now() - started) / 1000;
  const { test } = result.metrics;
  console.log(
    `${config.encoder} test accuracy ${test.accuracy.toFixed(4)} (${test.size} sentences), ${wall.toFixed(1)} s`,
  );
  results.push({ encoder: config.encoder, accuracy: test.accuracy, seconds: wall });
  result.model.dispose();
}

console.log('\n| encoder | test accuracy | wall time |');
console.log('| --- | --- | --- |');
for (const r of results)
  console.log(`| ${r.encoder} | ${r.accuracy.toFixed(4)} | ${r.seconds.toFixed(1)} s |`);
