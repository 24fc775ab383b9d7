// Compares a lockstep pair: omnifuse-parity.mjs and torch_parity.py run with the same --lockstep=DIR,
// so both sides started from the same weights and took the same batches (lockstep-trainer.mjs).
//
//   node --conditions=@omnifuse/source --import tsx bench/accuracy-parity/lockstep.mjs \
//     omnifuse.json torch.json [--reference=torch64.json] [--svg=lockstep.svg]
//
// Prints, per model and seed: each side's loss on the first steps and their relative difference
// (and each side's against a --dtype=float64 PyTorch run of the same lockstep, --reference), the
// first step at which it passes 1e-3 and 1e-2, and each epoch's validation loss. Where DIR holds
// both sides' final weights (<model>-seed<seed>.after.json from omnifuse, .torch-after.json from
// PyTorch, .torch64-after.json from a --dtype=float64 run), it also prints how far each parameter's
// change from the initial weights differs between the sides (and from float64) — with --train=40
// --epochs=1 that is the first SGD step, parameter by parameter. --svg plots the relative loss
// difference per step (log scale).
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './common.mjs';
import { lockstepFile } from './lockstep-trainer.mjs';

const args = process.argv.slice(2);
const files = args.filter((arg) => !arg.startsWith('--'));
const option = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
if (files.length !== 2) {
  console.error('usage: lockstep.mjs <omnifuse.json> <torch.json> [--reference=torch64.json] [--svg=FILE]');
  process.exit(2);
}
const [omnifuse, torch] = files.map((file) => JSON.parse(readFileSync(file, 'utf8')));
const reference = option('reference') ? JSON.parse(readFileSync(option('reference'), 'utf8')) : null;
const dir = omnifuse.settings.lockstep;
if (!dir || torch.settings.lockstep !== dir) {
  console.error(
    `both runs need the same --lockstep folder (omnifuse ${dir}, torch ${torch.settings.lockstep})`,
  );
  process.exit(1);
}

const relative = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
const firstStepAbove = (diffs, level) => {
  const at = diffs.findIndex((d) => d > level);
  return at < 0 ? '—' : String(at + 1);
};
const curves = [];
for (const [model, perSeed] of Object.entries(omnifuse.runs)) {
  for (const [seed, ours] of Object.entries(perSeed)) {
    const theirs = torch.runs[model]?.[seed];
    if (!theirs?.batch_losses || !ours.batch_losses) continue;
    const exact = reference?.runs[model]?.[seed]?.batch_losses ?? null;
    const steps = Math.min(ours.batch_losses.length, theirs.batch_losses.length, exact?.length ?? Infinity);
    const against = (side, base) => Array.from({ length: steps }, (_, i) => relative(side[i], base[i]));
    const diffs = against(ours.batch_losses, theirs.batch_losses);
    const columns = [['omnifuse vs PyTorch', diffs]];
    if (exact) {
      columns.push(['omnifuse vs float64', against(ours.batch_losses, exact)]);
      columns.push(['PyTorch float32 vs float64', against(theirs.batch_losses, exact)]);
    }
    for (const [name, values] of columns) curves.push({ label: `${model} ${seed}: ${name}`, diffs: values });
    console.log(`\n## ${model}, seed ${seed}: ${steps} steps in lockstep\n`);
    console.log(`| step | omnifuse loss | PyTorch loss | ${columns.map(([name]) => name).join(' | ')} |`);
    console.log(`| ---: | ---: | ---: |${' ---: |'.repeat(columns.length)}`);
    for (let i = 0; i < Math.min(steps, 8); i++) {
      const cells = columns.map(([, values]) => values[i].toExponential(1));
      console.log(
        `| ${i + 1} | ${ours.batch_losses[i].toFixed(6)} | ${theirs.batch_losses[i].toFixed(6)} | ${cells.join(' | ')} |`,
      );
    }
    for (const [name, values] of columns) {
      console.log(
        `${name}: relative difference first above 1e-3 at step ${firstStepAbove(values, 1e-3)}, above 1e-2 ` +
          `at step ${firstStepAbove(values, 1e-2)}`,
      );
    }
    console.log(
      `test accuracy ${(100 * ours.test).toFixed(1)}% (omnifuse) vs ${(100 * theirs.test).toFixed(1)}% (PyTorch)`,
    );
    const epochs = Math.min(ours.val_losses?.length ?? 0, theirs.val_losses?.length ?? 0);
    if (epochs > 0) {
      const line = (values) =>
        values
          .slice(0, epochs)
          .map((v) => v.toFixed(4))
          .join(', ');
      console.log(
        `validation loss per epoch: omnifuse ${line(ours.val_losses)}; PyTorch ${line(theirs.val_losses)}`,
      );
    }
    printUpdates(model, seed);
  }
}
if (curves.length === 0) {
  console.error('no model and seed has batch losses on both sides (run both with --lockstep)');
  process.exit(1);
}
if (option('svg')) await writeFileAtomic(option('svg'), lineChart(curves));

/** Per parameter: ‖Δ_omnifuse − Δ_torch‖ / ‖Δ_torch‖ (Δ = final − initial), and each against float64. */
function printUpdates(model, seed) {
  const base = lockstepFile(dir, model, seed);
  const read = (suffix) => {
    const file = base.replace(/\.json$/, `.${suffix}.json`);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).weights : null;
  };
  const initial = JSON.parse(readFileSync(base, 'utf8')).weights;
  const [ours, theirs, exact] = [
    read('after'),
    read('torch-after'),
    reference ? read('torch64-after') : null,
  ];
  if (!ours || !theirs) return;
  const delta = (weights, i) => weights[i].values.map((v, j) => v - initial[i].values[j]);
  const distance = (a, b) => {
    let diff = 0;
    let norm = 0;
    a.forEach((v, j) => {
      diff += (v - b[j]) ** 2;
      norm += b[j] ** 2;
    });
    return norm === 0 ? 0 : Math.sqrt(diff / norm);
  };
  console.log(`\nchange of each parameter from the initial weights, relative difference:\n`);
  console.log(
    exact
      ? '| parameter | omnifuse vs PyTorch | PyTorch float32 vs float64 | omnifuse vs float64 |\n| --- | ---: | ---: | ---: |'
      : '| parameter | omnifuse vs PyTorch |\n| --- | ---: |',
  );
  initial.forEach((w, i) => {
    const [o, t] = [delta(ours, i), delta(theirs, i)];
    const cells = [distance(o, t)];
    if (exact) cells.push(distance(t, delta(exact, i)), distance(o, delta(exact, i)));
    console.log(`| ${w.name} | ${cells.map((c) => c.toExponential(1)).join(' | ')} |`);
  });
}

/** |Δloss| / loss per step, one line per model and seed, on a log scale from 1e-8 to 1. */
function lineChart(series) {
  const width = 760;
  const height = 340;
  const left = 64;
  const top = 36;
  const plotWidth = width - left - 24;
  const plotHeight = height - top - 84;
  const steps = Math.max(...series.map((s) => s.diffs.length));
  const x = (step) => left + (plotWidth * step) / Math.max(steps - 1, 1);
  const y = (value) => top + (plotHeight * -Math.log10(Math.max(value, 1e-8))) / 8;
  const colours = ['#3b6ea8', '#e0a030', '#9a9a9a', '#c0392b', '#2e8b57', '#8e44ad'];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11" role="img">`,
    '<title>omnifuse against PyTorch in lockstep: relative difference of the training loss per step</title>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="20" font-size="14">Same weights, same batches: relative difference of each step's training loss</text>`,
  ];
  for (let exponent = 0; exponent <= 8; exponent += 2) {
    const value = 10 ** -exponent;
    parts.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${y(value)}" y2="${y(value)}" stroke="#e4e4e4"/>`,
      `<text x="${left - 6}" y="${y(value) + 4}" text-anchor="end">1e-${exponent}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 28}" text-anchor="middle">training step</text>`,
    `<text x="${left}" y="${top + plotHeight + 16}">1</text>`,
    `<text x="${left + plotWidth}" y="${top + plotHeight + 16}" text-anchor="end">${steps}</text>`,
  );
  series.forEach((s, i) => {
    const points = s.diffs.map((d, step) => `${x(step).toFixed(1)},${y(d).toFixed(1)}`).join(' ');
    const colour = colours[i % colours.length];
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="1.2" points="${points}"/>`,
      `<rect x="${left + (i % 3) * 220}" y="${height - 34 + 14 * Math.floor(i / 3)}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${left + (i % 3) * 220 + 16}" y="${height - 24 + 14 * Math.floor(i / 3)}">${s.label}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
