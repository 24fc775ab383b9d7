// Prints the accuracy-parity table from the two sides' results: test accuracy per model, mean and
// sample std over the seeds, the difference omnifuse − PyTorch, and whether it is within the
// tolerance (1.5 points by default). Refuses to compare runs whose protocols differ.
//
//   node --conditions=@omnifuse/source --import tsx bench/accuracy-parity/report.mjs \
//     torch-parity.json omnifuse-parity.json [--tolerance=1.5] [--svg=parity.svg]
// --svg draws the means as grouped bars (@omnifuse/trainer's report charts).
import { readFileSync } from 'node:fs';
import { groupedBars, writeFileAtomic } from './common.mjs';

const args = process.argv.slice(2);
const files = args.filter((arg) => !arg.startsWith('--'));
const option = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const tolerance = Number(option('tolerance') ?? 1.5);
if (files.length !== 2) {
  console.error('usage: report.mjs <torch-parity.json> <omnifuse-parity.json> [--tolerance=1.5]');
  process.exit(2);
}
const [torch, omnifuse] = files.map((file) => JSON.parse(readFileSync(file, 'utf8')));

// The same protocol on both sides, or the comparison means nothing.
const protocol = (r) => ({
  seeds: r.settings.seeds,
  epochs: r.settings.epochs,
  batch: r.settings.batch,
  lr: r.settings.lr,
  weight_decay: r.settings.weight_decay,
  clip: r.settings.clip,
  samples: r.data.samples,
  snr: r.data.build?.snrDb,
  buildSeed: r.data.build?.seed,
});
const [a, b] = [protocol(torch), protocol(omnifuse)];
if (JSON.stringify(a) !== JSON.stringify(b)) {
  console.error(
    `the two runs differ in protocol:\n  torch    ${JSON.stringify(a)}\n  omnifuse ${JSON.stringify(b)}`,
  );
  process.exit(1);
}

const points = (x) => (x * 100).toFixed(2);
const cell = (s) => `${points(s.mean)}${s.std === null ? '' : ` ± ${points(s.std)}`}`;
const seeds = (r, model) => a.seeds.map((seed) => points(r.runs[model][String(seed)].test)).join(' / ');
console.log(
  `Test accuracy (%), mean ± sample std over seeds ${a.seeds.join(', ')}; ${a.samples.train}/${a.samples.validation}/${a.samples.test} pairs at ${a.snr} dB, ${a.epochs} epochs\n`,
);
console.log(
  '| model | PyTorch | omnifuse | Δ (points) | within ±' +
    tolerance +
    ' | PyTorch per seed | omnifuse per seed |',
);
console.log('| --- | ---: | ---: | ---: | --- | --- | --- |');
let allWithin = true;
for (const model of Object.keys(torch.summary)) {
  if (!omnifuse.summary[model]) continue;
  const t = torch.summary[model].test;
  const o = omnifuse.summary[model].test;
  const delta = (o.mean - t.mean) * 100;
  const within = Math.abs(delta) <= tolerance;
  allWithin &&= within;
  console.log(
    `| ${model} | ${cell(t)} | ${cell(o)} | ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} | ${within ? 'yes' : 'no'} | ${seeds(torch, model)} | ${seeds(omnifuse, model)} |`,
  );
}
const svg = option('svg');
if (svg) {
  const models = Object.keys(torch.summary).filter((model) => omnifuse.summary[model]);
  const side = (r) => models.map((model) => r.summary[model].test.mean * 100);
  writeFileAtomic(
    svg,
    groupedBars({
      title: `Test accuracy, mean of seeds ${a.seeds.join(', ')} (${a.samples.train} train pairs, ${a.snr} dB, ${a.epochs} epochs)`,
      categories: models,
      series: [
        { name: 'PyTorch', values: side(torch) },
        { name: 'omnifuse', values: side(omnifuse) },
      ],
      max: 100,
      xLabel: 'test accuracy (%)',
    }),
  );
  console.log(`\nchart: ${svg}`);
}
process.exitCode = allWithin ? 0 : 1;
