// Prints the accuracy-parity table from the two sides' results: test accuracy per model, mean and
// sample std over the seeds, the difference omnifuse − PyTorch, and whether it is within the
// tolerance (1.5 points by default). Refuses to compare runs whose protocols differ.
//
//   node --conditions=@omnifuse/source --import tsx bench/accuracy-parity/report.mjs \
//     torch-parity.json[,torch-seeds-4-6.json] omnifuse-parity.json[,…] [--tolerance=1.5] [--svg=parity.svg]
// Each side may be several files (comma-separated) of the same protocol, e.g. more seeds run later;
// each model is compared over the seeds both sides ran.
// --svg draws the means as grouped bars (@omnifuse/trainer's report charts).
import { readFileSync } from 'node:fs';
import { groupedBars, summarise, writeFileAtomic } from './common.mjs';

const args = process.argv.slice(2);
const sides = args.filter((arg) => !arg.startsWith('--'));
const option = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const tolerance = Number(option('tolerance') ?? 1.5);
if (sides.length !== 2) {
  console.error(
    'usage: report.mjs <torch.json[,torch-more-seeds.json…]> <omnifuse.json[,…]> [--tolerance=1.5] [--svg=FILE]',
  );
  process.exit(2);
}

// The same protocol in every file, or the comparison means nothing; seeds and models may differ
// between files of one side (more seeds run later), and are merged.
const protocol = (r) => ({
  epochs: r.settings.epochs,
  batch: r.settings.batch,
  lr: r.settings.lr,
  weight_decay: r.settings.weight_decay,
  clip: r.settings.clip,
  samples: r.data.samples,
  snr: r.data.build?.snrDb,
  buildSeed: r.data.build?.seed,
});
const loaded = sides.map((list) =>
  list.split(',').map((file) => ({ file, ...JSON.parse(readFileSync(file, 'utf8')) })),
);
const a = protocol(loaded[0][0]);
for (const result of loaded.flat()) {
  if (JSON.stringify(protocol(result)) !== JSON.stringify(a)) {
    console.error(
      `${result.file} differs in protocol:\n  ${JSON.stringify(protocol(result))}\n  ${JSON.stringify(a)}`,
    );
    process.exit(1);
  }
}
/** runs[model][seed] of one side's files; a seed run twice is an error. */
function merge(results) {
  const runs = {};
  for (const result of results) {
    for (const [model, perSeed] of Object.entries(result.runs)) {
      runs[model] ??= {};
      for (const [seed, run] of Object.entries(perSeed)) {
        if (runs[model][seed]) throw new Error(`${model} seed ${seed} appears twice (${result.file})`);
        runs[model][seed] = run;
      }
    }
  }
  return runs;
}
const [torch, omnifuse] = loaded.map(merge);
// Per model, the seeds both sides ran.
const models = Object.keys(torch).filter((model) => omnifuse[model]);
const seedsOf = (model) =>
  Object.keys(torch[model])
    .filter((seed) => omnifuse[model][seed])
    .sort((x, y) => Number(x) - Number(y));
const stats = (runs, model) => summarise(seedsOf(model).map((seed) => runs[model][seed].test));

const points = (x) => (x * 100).toFixed(2);
const cell = (s) => `${points(s.mean)}${s.std === null ? '' : ` ± ${points(s.std)}`}`;
const perSeed = (runs, model) =>
  seedsOf(model)
    .map((seed) => points(runs[model][seed].test))
    .join(' / ');
console.log(
  `Test accuracy (%), mean ± sample std over the seeds both sides ran; ${a.samples.train}/${a.samples.validation}/${a.samples.test} pairs at ${a.snr} dB, ${a.epochs} epochs\n`,
);
console.log(
  `| model | seeds | PyTorch | omnifuse | Δ (points) | within ±${tolerance} | PyTorch per seed | omnifuse per seed |`,
);
console.log('| --- | --- | ---: | ---: | ---: | --- | --- | --- |');
let allWithin = true;
for (const model of models) {
  const t = stats(torch, model);
  const o = stats(omnifuse, model);
  const delta = (o.mean - t.mean) * 100;
  const within = Math.abs(delta) <= tolerance;
  allWithin &&= within;
  console.log(
    `| ${model} | ${seedsOf(model).join(', ')} | ${cell(t)} | ${cell(o)} | ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} | ${within ? 'yes' : 'no'} | ${perSeed(torch, model)} | ${perSeed(omnifuse, model)} |`,
  );
}
const svg = option('svg');
if (svg) {
  const side = (runs) => models.map((model) => stats(runs, model).mean * 100);
  writeFileAtomic(
    svg,
    groupedBars({
      title: 'AV-MNIST: PyTorch against omnifuse',
      categories: models,
      series: [
        { name: 'PyTorch', values: side(torch) },
        { name: 'omnifuse', values: side(omnifuse) },
      ],
      max: 100,
      xLabel: `test accuracy (%), mean over seeds; ${a.samples.train} train pairs, ${a.snr} dB, ${a.epochs} epochs`,
    }),
  );
  console.log(`\nchart: ${svg}`);
}
process.exitCode = allWithin ? 0 : 1;
