// Text processing, scikit-learn-exact TF-IDF, and a small text classifier trained from sentences in code.
import { createDataset } from '@omnifuse/core';
import textPlugins, { createTextPipeline, fitTfidf, fitVocabulary } from '@omnifuse/modality-text';
import { train } from '@omnifuse/trainer';

// 1. Normalise → tokenise → drop stop words. Han, kana and Thai runs go through Intl.Segmenter.
const pipeline = createTextPipeline({
  normalize: { stripAccents: true, placeholders: { url: '<url>', number: '<num>' } },
  stopwords: ['en', 'zh'],
});
console.log(pipeline.tokens('See https://example.com: 3 great cafés!'));
console.log(pipeline.tokens('我爱自然语言处理 and NLP'));

// 2. A vocabulary fitted on training text only: [PAD] = 0, [UNK] = 1, then by count.
const vocabulary = fitVocabulary([pipeline.tokens('great food, great staff'), pipeline.tokens('cold food')]);
console.log(vocabulary.encode(pipeline.tokens('great cold soup'), 6).ids);

// 3. TF-IDF with scikit-learn's TfidfVectorizer defaults (smooth idf, l2 rows, code-point term order).
const tfidf = fitTfidf(['the food was great', 'the staff was rude', 'great staff, great food']);
const row = tfidf.transform('great food');
console.log(
  [...row.indices].map((i, k) => `${tfidf.terms[i]} ${row.values[k].toFixed(4)}`),
  `idf(the) = ${tfidf.idf[tfidf.indexOf('the')].toFixed(4)}`,
);

// 4. Train text:cnn on a few labelled sentences and classify two new ones.
const good = [
  'great food',
  'lovely staff',
  'really great place',
  'friendly and fast',
  'loved it',
  'great value',
];
const bad = ['cold food', 'rude staff', 'really slow service', 'dirty and loud', 'hated it', 'awful value'];
const records = [...good, ...bad].flatMap((text, i) =>
  [0, 1, 2].map((copy) => ({ id: `${i}-${copy}`, text, label: i < good.length ? 'good' : 'bad' })),
);
const result = await train({
  dataset: createDataset(records, { fieldTypes: { text: 'text', label: 'category' } }),
  registry: textPlugins,
  cache: false,
  spec: {
    inputs: [{ field: 'text', encoder: 'text:cnn', options: { maxLength: 8, dim: 16, filters: 8 } }],
    output: { type: 'classification', field: 'label' },
    split: { type: 'random', ratios: { train: 1 }, seed: 1 },
    training: { epochs: 30, batchSize: 8, learningRate: 0.01, seed: 1 },
  },
});
const predictions = await result.model.predict([
  { id: 'a', text: 'great staff and lovely food' },
  { id: 'b', text: 'the service was rude and slow' },
]);
for (const p of predictions) console.log(p.record, p.prediction);
result.model.dispose();
