// Text TF-IDF throughput: @omnifuse/modality-text's TF-IDF (scikit-learn-exact TfidfVectorizer
// defaults) against scikit-learn itself (bench/text-tfidf-sklearn.py, run with Debian's
// /usr/bin/python3 and python3-sklearn) on the same 3,000 real sentences in the same run. Three
// measurements, each the best of `runs` passes after one untimed warm-up pass (the JIT's):
// tokenisation alone (sklearn's `build_analyzer()`), fit + transform of every sentence
// (`fitTransformTfidf`, one pass, as sklearn's `fit_transform`), and transform alone with the fitted
// model (`model.transform` per sentence). One thread on each side.
// Checksums (term characters; non-zeros and the sum of the TF-IDF values) show both did the same work.
//
//   node --import tsx bench/text-tfidf.mjs [--runs=10]
//
// Needs ../shared/data/sentiment (the three *_labelled.txt files) and python3-sklearn.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const runs = Number(args.get('runs') ?? 10);

const { createAnalyzer, fitTransformTfidf, parseTfidfOptions } = await import(
  '../packages/modality-text/src/tfidf/index.ts'
);

const data = path.resolve(here, '../../shared/data/sentiment');
const files = ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt'];
if (!files.every((f) => existsSync(path.join(data, f)))) {
  console.error(`missing ${data}/*_labelled.txt`);
  process.exit(1);
}
// Split on "\n" only: imdb holds NEL (U+0085); drop "\r", the header and the score column.
const sentences = files.flatMap((file) =>
  readFileSync(path.join(data, file), 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
    .filter((line) => line !== '')
    .map((line) => line.slice(0, line.lastIndexOf('\t'))),
);

function best(work) {
  work();
  let fastest = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return sentences.length / (fastest / 1000);
}

function checksum(rows) {
  let nnz = 0;
  let sum = 0;
  for (const { values } of rows) {
    nnz += values.length;
    for (let i = 0; i < values.length; i++) sum += values[i];
  }
  return { nnz, sum };
}
const transformAll = (model) => checksum(sentences.map((sentence) => model.transform(sentence)));

const analyze = createAnalyzer(parseTfidfOptions({}));
const terms = [];
const tokenize = () => {
  let chars = 0;
  for (const sentence of sentences) {
    const n = analyze(sentence, terms);
    for (let i = 0; i < n; i++) chars += terms[i].length;
  }
  return chars;
};
const ours = {
  tokenize: { perSecond: best(tokenize), checksum: tokenize() },
  fitTransform: { perSecond: best(() => checksum(fitTransformTfidf(sentences).rows)) },
};
const { model, rows } = fitTransformTfidf(sentences);
const fitted = checksum(rows);
Object.assign(ours.fitTransform, { nnz: fitted.nnz, checksum: fitted.sum, vocabulary: model.vocabularySize });
const again = transformAll(model);
ours.transform = { perSecond: best(() => transformAll(model)), nnz: again.nnz, checksum: again.sum };

const python = spawnSync('/usr/bin/python3', [path.join(here, 'text-tfidf-sklearn.py')], {
  input: JSON.stringify({ sentences, runs }),
  encoding: 'utf8',
  env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  maxBuffer: 1 << 20,
});
if (python.status !== 0) {
  console.error(python.stderr);
  process.exit(1);
}
const sklearn = JSON.parse(python.stdout.trim().split('\n').at(-1));

console.log(
  `${sentences.length} sentiment sentences, TfidfVectorizer defaults (vocabulary ${ours.fitTransform.vocabulary} ` +
    `vs ${sklearn.fitTransform.vocabulary}); best of ${runs}; Node ${process.versions.node}, ` +
    `scikit-learn ${sklearn.sklearn}, numpy ${sklearn.numpy}, Python ${sklearn.python}`,
);
console.log(
  '| step | omnifuse sentences/s | scikit-learn sentences/s | omnifuse / sklearn | checksum agreement |',
);
console.log(
  '| ---- | -------------------- | ------------------------ | ------------------ | ------------------ |',
);
const agreement = (a, b) => {
  if (a.nnz !== undefined && a.nnz !== b.nnz) return `nnz ${a.nnz} vs ${b.nnz}`;
  return (Math.abs(a.checksum - b.checksum) / Math.max(1, Math.abs(b.checksum))).toExponential(1);
};
for (const [step, label] of [
  ['tokenize', 'tokenise (analyzer)'],
  ['fitTransform', 'fit + transform'],
  ['transform', 'transform'],
]) {
  const a = ours[step];
  const b = sklearn[step];
  console.log(
    `| ${label} | ${a.perSecond.toFixed(0)} | ${b.perSecond.toFixed(0)} | ` +
      `${(a.perSecond / b.perSecond).toFixed(2)}× | ${agreement(a, b)} |`,
  );
}
