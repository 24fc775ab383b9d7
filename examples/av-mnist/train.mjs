// Trains and scores image-only, audio-only and every fusion method on the AV-MNIST-style set that
// build-dataset.mjs writes, with the modality packages' encoders (vision:cnn LeNet(1, 6, 3) for the
// PCA images, audio:cnn2d LeNet(1, 6, 5) for MultiBench's 112×112 spectrogram of the noisy clips)
// and MultiBench's SGD recipe (audio-input.mjs; README.md says why). Fusion models are also scored with
// one modality removed from the test records (inputs are `optional`, so presence is 0). Prints a
// markdown table and writes results.json and results.svg into --out.
//   node --conditions=@omnifuse/source --import tsx examples/av-mnist/train.mjs
// Flags (defaults shown): --data=<tmp>/omnifuse-av-mnist --out=<data> --cache=<data>/.omnifuse-cache
//   --methods=image,audio,concat,late,attention,gmu,transformer,tensor,low-rank-tensor
//   --recipe=sgd (MultiBench's: --epochs=30 --batch=40 --lr=0.1 --weight-decay=0.0001 --clip=8
//   --init=pytorch --monitor=val_accuracy; or adam: 10, 64, 0.002, 0, none, plugin, val_loss)
//   --lr-schedule=constant (or cosine)
//   --dropout=0.3 (modality dropout of fusion methods) --jobs=2
//   --report (re-print the table and redraw the chart from <out>/runs, no training)
//   --backend=wasm (any of core's backends: webgpu, cpu, tensorflow…)
//   --features=multibench (or mfcc, logmel: --mfcc=20 --nfft=512 --mels=40 --hop=128 --cmvn=0)
//   --audio-blocks=5 (3 for mfcc/logmel) --seed=1
//   --workers=1 (data-parallel gradient threads per run, training.workers; a number or auto)
// --jobs=N trains N methods at once in child processes: the wasm backend runs one thread, so on
// two cores two jobs take about half the wall time. All runs share one feature cache, so every
// image and clip is preprocessed once (the first runs fill it; image and audio run first).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFeatureCache, loadManifest } from '@omnifuse/core';
import { cnn2dEncoderPlugin } from '@omnifuse/modality-audio';
import { cnnEncoderPlugin } from '@omnifuse/modality-vision';
import { selectBackend } from '@omnifuse/runtime';
import { train } from '@omnifuse/trainer';
import {
  AUDIO_DEFAULTS,
  audioInput as createAudioInput,
  HEAD,
  MFCC_HEAD,
  recipeNamed,
  trainingSpec,
} from './audio-input.mjs';

const here = fileURLToPath(import.meta.url);
const flags = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    return [key, value];
  }),
);
const number = (name, fallback) => (flags[name] === undefined ? fallback : Number(flags[name]));
const dataDir = path.resolve(
  flags.data ?? process.env.AV_MNIST_DIR ?? path.join(os.tmpdir(), 'omnifuse-av-mnist'),
);
const outDir = path.resolve(flags.out ?? dataDir);
const cacheDir = path.resolve(flags.cache ?? path.join(dataDir, '.omnifuse-cache'));
const recipe = recipeNamed(flags.recipe);
const optional = (name) => (flags[name] === undefined ? undefined : Number(flags[name]));
const settings = {
  recipe: recipe.recipe,
  epochs: number('epochs', recipe.epochs),
  batchSize: number('batch', recipe.batchSize),
  learningRate: number('lr', recipe.learningRate),
  weightDecay: number('weight-decay', recipe.weightDecay),
  gradientClipNorm: flags.clip === undefined ? recipe.gradientClipNorm : Number(flags.clip) || null,
  initialization: flags.init ?? recipe.initialization,
  monitor: flags.monitor ?? recipe.monitor,
  lrSchedule: flags['lr-schedule'] ?? recipe.lrSchedule,
  modalityDropout: number('dropout', 0.3),
  features: flags.features ?? AUDIO_DEFAULTS.features,
  // The MFCC/log-mel flags (their defaults: audio-input.mjs's MFCC_DEFAULTS).
  nFft: optional('nfft'),
  nMels: optional('mels'),
  hopLength: optional('hop'),
  nMfcc: optional('mfcc'),
  cmvn: flags.cmvn === undefined ? undefined : Number(flags.cmvn) !== 0,
  audioBlocks: optional('audio-blocks'),
  seed: number('seed', 1),
  // Data-parallel gradient threads per run (training.workers): a number or "auto".
  workers: flags.workers === 'auto' ? 'auto' : number('workers', 1),
};

/**
 * Which fusion plugin, from which package, with which options (modality dropout is added to each),
 * and for late fusion a linear task head, so its weighted mean stays a mean of the modalities' logits.
 */
export const FUSION_METHODS = {
  // Project both vectors (48 image, 192 audio) to 64 and layer-normalise, so neither dominates by size.
  concat: {
    type: 'fusion:concat',
    pkg: '@omnifuse/fusion-concat',
    options: { projection: 64, layerNorm: true, activation: 'relu' },
  },
  late: {
    type: 'fusion:late',
    pkg: '@omnifuse/fusion-late',
    options: { hidden: [64], combine: 'learned' },
    head: { hidden: [], dropout: 0 },
  },
  attention: {
    type: 'fusion:attention',
    pkg: '@omnifuse/fusion-attention',
    options: { dim: 64, hidden: 32, output: 'sum+concat' },
  },
  gmu: { type: 'fusion:gmu', pkg: '@omnifuse/fusion-attention', options: { dim: 64 } },
  transformer: {
    type: 'fusion:transformer',
    pkg: '@omnifuse/fusion-transformer',
    options: { dim: 64, layers: 2, numHeads: 4, ffDim: 128 },
  },
  tensor: { type: 'fusion:tensor', pkg: '@omnifuse/fusion-tensor', options: { dim: 16 } },
  'low-rank-tensor': {
    type: 'fusion:low-rank-tensor',
    pkg: '@omnifuse/fusion-tensor',
    options: { rank: 8, outputDim: 64 },
  },
};
const UNIMODAL = ['image', 'audio'];
const methods = (flags.methods ?? [...UNIMODAL, ...Object.keys(FUSION_METHODS)].join(','))
  .split(',')
  .filter(Boolean);
for (const method of methods) {
  if (!UNIMODAL.includes(method) && !FUSION_METHODS[method]) throw new Error(`unknown method "${method}"`);
}

// The encoders, the same in every run.
// Image: MultiBench's LeNet(1, 6, 3): conv 5×5/6 then 3×3/12, 24, 48, each BN → ReLU → max-pool 2
// → 1×1×48, flattened.
const imageInput = {
  field: 'image',
  encoder: 'vision:cnn',
  options: {
    preset: 'lenet',
    inChannels: 1,
    baseFilters: 6,
    extraBlocks: 3,
    preprocess: { size: { width: 28, height: 28 }, channels: 1, background: '#000000' },
  },
};
// Audio: audio-input.mjs's audio:cnn2d (MultiBench's 112×112 spectrogram → LeNet(1, 6, 5) by
// default; --features=mfcc for the earlier MFCC 63×20 → LeNet(1, 6, 3)) with these flags.
const audioInput = createAudioInput(
  Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)),
);
// The earlier MFCC default kept its dropout-0.2 head; MultiBench's head has none.
const head = settings.features === 'multibench' ? HEAD : MFCC_HEAD;

function specFor(method) {
  const inputs =
    method === 'image' ? [imageInput] : method === 'audio' ? [audioInput] : [imageInput, audioInput];
  const fusion = FUSION_METHODS[method];
  return {
    inputs: inputs.map((input) => ({ ...input, optional: true })),
    ...(fusion
      ? {
          fusion: {
            type: fusion.type,
            options: { ...fusion.options, modalityDropout: settings.modalityDropout },
          },
        }
      : {}),
    // MultiBench's head: one hidden layer of 100 (its MLP(…, 100, 10)).
    output: { type: 'classification', field: 'label', head: fusion?.head ?? head },
    split: { type: 'column', column: 'split' },
    training: trainingSpec({ ...recipe, ...settings }, { seed: settings.seed, workers: settings.workers }),
  };
}

/** Trains one method and scores it on the test split, whole and with each modality removed. */
async function runMethod(method) {
  const fusion = FUSION_METHODS[method];
  const registry = [cnnEncoderPlugin, cnn2dEncoderPlugin];
  if (fusion) registry.push(...(await import(fusion.pkg)).default);
  const backend = await selectBackend(flags.backend ?? 'wasm');
  const dataset = await loadManifest(path.join(dataDir, 'manifest.jsonl'), {
    fieldTypes: { image: 'image', audio: 'audio', label: 'category', split: 'category' },
  });
  const cache = createFeatureCache({ dir: cacheDir });
  const started = performance.now();
  const result = await train({
    dataset,
    registry,
    backend: backend.name,
    cache,
    spec: specFor(method),
    callbacks: [
      {
        onEpochEnd: ({ epoch, metrics, seconds }) => {
          const m = (name) => metrics[name]?.toFixed(4);
          console.log(
            `[${method}] epoch ${epoch + 1}/${settings.epochs}: loss ${m('loss')} acc ${m('accuracy')} ` +
              `val_loss ${m('val_loss')} val_acc ${m('val_accuracy')} (${seconds.toFixed(1)} s)`,
          );
        },
      },
    ],
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const testRecords = dataset.records.filter((record) => record.split === 'test');
  const without = async (field) => {
    const records = testRecords.map(({ [field]: _dropped, ...rest }) => rest);
    return (await result.model.evaluate(records, { root: dataDir, cache })).accuracy;
  };
  const row = {
    method,
    fusion: fusion?.type ?? null,
    options: fusion ? specFor(method).fusion.options : null,
    test: result.metrics.test.accuracy,
    validation: result.metrics.validation?.accuracy ?? null,
    audioMissing: fusion ? await without('audio') : null,
    imageMissing: fusion ? await without('image') : null,
    epochs: result.history.epochs.length,
    trainSeconds,
    epochSeconds: result.history.seconds / result.history.epochs.length,
  };
  if (fusion && result.model.inspect) {
    const predictions = await result.model.predict(testRecords, { root: dataDir, cache });
    const weights = predictions.map((p) => p.fusionWeights).filter(Boolean);
    if (weights.length > 0) {
      row.meanFusionWeights = Object.fromEntries(
        Object.keys(weights[0]).map((field) => [
          field,
          weights.reduce((sum, w) => sum + w[field], 0) / weights.length,
        ]),
      );
    }
  }
  result.model.dispose();
  console.log(`[${method}] ${JSON.stringify(row)}`);
  mkdirSync(path.join(outDir, 'runs'), { recursive: true });
  writeFileSync(path.join(outDir, 'runs', `${method}.json`), JSON.stringify(row));
  return row;
}

/** Runs `node <same flags> train.mjs --worker=<method>` and reads back its row. */
function runWorker(method) {
  const file = path.join(outDir, 'runs', `${method}.json`);
  const args = [...process.execArgv, here, ...process.argv.slice(2), `--worker=${method}`];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(readFileSync(file, 'utf8')));
      else reject(new Error(`${method} failed with exit code ${code}`));
    });
  });
}

function readRuns(list) {
  const rows = list
    .map((method) => path.join(outDir, 'runs', `${method}.json`))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')));
  return { rows, failures: [] };
}

async function runAll(list, jobs) {
  const rows = new Map();
  const failures = [];
  const queue = [...list];
  const lane = async () => {
    while (queue.length > 0) {
      const method = queue.shift();
      try {
        rows.set(method, jobs > 1 ? await runWorker(method) : await runMethod(method));
      } catch (error) {
        console.error(`[${method}] failed: ${error.stack ?? error}`);
        failures.push({ method, error: String(error.message ?? error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, list.length) }, lane));
  return { rows: list.filter((m) => rows.has(m)).map((m) => rows.get(m)), failures };
}

const pct = (x) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)}%`);
const signed = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;

function table(rows, bestSingle) {
  const lines = [
    '| method | test accuracy | Δ vs best single | audio missing | image missing | train s |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const label = r.fusion ?? `${r.method} only`;
    const delta = bestSingle === undefined ? '—' : signed(r.test - bestSingle);
    lines.push(
      `| ${label} | ${pct(r.test)} | ${delta} | ${pct(r.audioMissing)} | ${pct(r.imageMissing)} | ${r.trainSeconds.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}

if (flags.worker) {
  await runMethod(flags.worker);
} else {
  mkdirSync(path.join(outDir, 'runs'), { recursive: true });
  const started = performance.now();
  const jobs = number('jobs', 2);
  console.log(`data ${dataDir}; methods ${methods.join(', ')}; ${JSON.stringify(settings)}; jobs ${jobs}`);
  // --report re-tabulates the runs already in <out>/runs without training again.
  const { rows, failures } = flags.report !== undefined ? readRuns(methods) : await runAll(methods, jobs);
  const singles = rows.filter((r) => !r.fusion).map((r) => r.test);
  const bestSingle = singles.length > 0 ? Math.max(...singles) : undefined;
  const fusions = rows.filter((r) => r.fusion);
  // A re-tabulation has no wall time of its own (the runs may come from several invocations).
  const wallSeconds = flags.report !== undefined ? null : (performance.now() - started) / 1000;
  const acceptance =
    bestSingle === undefined || fusions.length === 0
      ? null
      : {
          bestSingle,
          everyFusionBeatsBestSingle: fusions.every((r) => r.test > bestSingle),
          bestFusion: Math.max(...fusions.map((r) => r.test)),
          bestFusionMargin: Math.max(...fusions.map((r) => r.test)) - bestSingle,
        };
  const build = JSON.parse(readFileSync(path.join(dataDir, 'build.json'), 'utf8'));
  const results = { data: dataDir, build, settings, jobs, rows, failures, acceptance, wallSeconds };
  writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'results.svg'), renderResultsSvg(rows, bestSingle));
  console.log(`\n${table(rows, bestSingle)}\n`);
  if (acceptance) {
    console.log(
      `best single ${pct(bestSingle)}; best fusion ${pct(acceptance.bestFusion)} ` +
        `(${signed(acceptance.bestFusionMargin)} points); every fusion beats best single: ` +
        `${acceptance.everyFusionBeatsBestSingle}`,
    );
  }
  for (const f of failures) console.log(`FAILED ${f.method}: ${f.error}`);
  const wall = wallSeconds === null ? 're-tabulated' : `wall time ${wallSeconds.toFixed(0)} s`;
  console.log(`${wall}; results.json and results.svg in ${outDir}`);
}

/**
 * Grouped bar chart, one group per method: test accuracy, with audio missing, with image missing;
 * a dashed line at the best single modality. Plain SVG, no dependencies.
 */
function renderResultsSvg(rows, bestSingle) {
  const series = [
    ['test', 'both modalities', '#3b6ea8'],
    ['audioMissing', 'audio missing', '#e0a030'],
    ['imageMissing', 'image missing', '#9a9a9a'],
  ];
  const width = 120 + rows.length * 112;
  const height = 360;
  const left = 56;
  const top = 40;
  const plotHeight = 240;
  const y = (value) => top + plotHeight * (1 - value);
  const esc = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11" role="img">`,
    '<title>AV-MNIST test accuracy per method: both modalities, audio missing, image missing</title>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="20" font-size="14">AV-MNIST test accuracy</text>`,
  ];
  for (let tick = 0; tick <= 1.0001; tick += 0.2) {
    parts.push(
      `<line x1="${left}" x2="${width - 16}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e4e4e4"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${Math.round(tick * 100)}%</text>`,
    );
  }
  rows.forEach((row, i) => {
    const x0 = left + 16 + i * 112;
    series.forEach(([key, , colour], j) => {
      const value = row[key];
      if (value === null || value === undefined) return;
      parts.push(
        `<rect x="${x0 + j * 24}" y="${y(value).toFixed(1)}" width="22" height="${(plotHeight * value).toFixed(1)}" fill="${colour}"><title>${esc(row.method)}: ${(100 * value).toFixed(1)}%</title></rect>`,
      );
    });
    parts.push(
      `<text x="${x0 + 36}" y="${top + plotHeight + 16}" text-anchor="middle">${esc(row.fusion ? row.method : `${row.method} only`)}</text>`,
      `<text x="${x0 + 36}" y="${top + plotHeight + 30}" text-anchor="middle" fill="#555">${(100 * row.test).toFixed(1)}%</text>`,
    );
  });
  if (bestSingle !== undefined) {
    parts.push(
      `<line x1="${left}" x2="${width - 16}" y1="${y(bestSingle)}" y2="${y(bestSingle)}" stroke="#c0392b" stroke-dasharray="5,4"/>`,
      `<text x="${width - 16}" y="${y(bestSingle) - 4}" text-anchor="end" fill="#c0392b">best single ${(100 * bestSingle).toFixed(1)}%</text>`,
    );
  }
  series.forEach(([, label, colour], j) => {
    const x = left + j * 130;
    parts.push(
      `<rect x="${x}" y="${height - 28}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${x + 16}" y="${height - 18}">${label}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
