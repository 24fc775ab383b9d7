// Prints the speaker-disjoint FSDD table from fsdd_speakers.py's and fsdd-speakers.mjs's results:
// one row per held-out speaker, one column per result file (the PyTorch recipe first, then omnifuse's
// encoders), test accuracy as the mean ± sample std over seeds, and a mean row (the mean over the
// held-out speakers ± their std). With both a PyTorch and an omnifuse multibench file it adds the
// difference omnifuse − PyTorch. Refuses results whose folds or splits differ.
//
//   node --conditions=@omnifuse/source --import tsx bench/accuracy-parity/report-fsdd.mjs \
//     fsdd-torch.json fsdd-multibench.json fsdd-mfcc.json [fsdd-logmel.json …] [--svg=fsdd.svg]
// --svg draws each column's accuracy per held-out speaker as grouped bars.
import { readFileSync } from 'node:fs';
import { groupedBars, writeFileAtomic } from './common.mjs';

const files = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const svg = process.argv.find((arg) => arg.startsWith('--svg='))?.slice('--svg='.length);
if (files.length === 0) {
  console.error('usage: report-fsdd.mjs <fsdd_speakers.py result> <fsdd-speakers.mjs result> …');
  process.exit(2);
}
const ENCODER_ORDER = ['multibench', 'mfcc', 'logmel'];
const rank = (r) =>
  (r.side === 'pytorch' ? 0 : 1) * 100 + (ENCODER_ORDER.indexOf(r.encoder) + 1 || ENCODER_ORDER.length + 1);
const results = files
  .map((file) => ({ file, ...JSON.parse(readFileSync(file, 'utf8')) }))
  .sort((a, b) => rank(a) - rank(b));

// The same folds and the same clips in each split, or the columns are not comparable.
const protocol = (r) => JSON.stringify({ folds: r.settings.folds, samples: r.data.samples });
const reference = protocol(results[0]);
const differing = results.filter((r) => protocol(r) !== reference);
if (differing.length > 0) {
  console.error('the results differ in folds or splits:');
  for (const r of results) console.error(`  ${r.file}  ${protocol(r)}`);
  process.exit(1);
}

const label = (r) => (r.side === 'pytorch' ? 'PyTorch recipe' : `omnifuse ${r.encoder}`);
const points = (x) => (x * 100).toFixed(1);
const cell = (s) => `${points(s.mean)}${s.std === null ? '' : ` ± ${points(s.std)}`}`;
const torch = results.find((r) => r.side === 'pytorch');
const multibench = results.find((r) => r.side === 'omnifuse' && r.encoder === 'multibench');
const delta = torch && multibench;
const signed = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`;

const { folds } = results[0].settings;
const samples = results[0].data.samples[folds[0]];
console.log(
  `Speaker-disjoint FSDD, test accuracy (%) on the held-out speaker, mean ± sample std over seeds; ` +
    `${samples.train}/${samples.validation}/${samples.test} train/validation/test clips per fold\n`,
);
const columns = [...results.map(label), ...(delta ? ['Δ omnifuse multibench − PyTorch'] : [])];
console.log(`| held-out speaker | ${columns.join(' | ')} |`);
console.log(`| --- | ${columns.map(() => '---:').join(' | ')} |`);
for (const fold of folds) {
  const cells = results.map((r) => cell(r.summary[fold].test));
  if (delta) cells.push(signed(multibench.summary[fold].test.mean - torch.summary[fold].test.mean));
  console.log(`| ${fold} | ${cells.join(' | ')} |`);
}
const means = results.map((r) => cell(r.overall.test));
if (delta) means.push(signed(multibench.overall.test.mean - torch.overall.test.mean));
console.log(`| **mean** (± std across speakers) | ${means.join(' | ')} |\n`);

for (const r of results) {
  const s = r.settings;
  const recipe = [
    `${s.optimizer} lr ${s.lr}`,
    s.weight_decay ? `weight decay ${s.weight_decay}` : null,
    `batch ${s.batch}`,
    s.clip ? `clip ${s.clip}` : null,
    `${s.epochs} epochs`,
    s.selection,
    `seeds ${s.seeds.join(', ')}`,
  ].filter(Boolean);
  console.log(
    `- ${label(r)} (${r.file}): ${recipe.join(', ')}${s.input ? `; ${JSON.stringify(s.input.options)}` : ''}`,
  );
}

if (svg) {
  writeFileAtomic(
    svg,
    groupedBars({
      title: 'FSDD, speaker held out: test accuracy on the unheard speaker',
      categories: [...folds, 'mean'],
      series: results.map((r) => ({
        name: label(r),
        values: [...folds.map((fold) => r.summary[fold].test.mean * 100), r.overall.test.mean * 100],
      })),
      max: 100,
      xLabel: 'test accuracy (%)',
    }),
  );
  console.log(`\nchart: ${svg}`);
}
