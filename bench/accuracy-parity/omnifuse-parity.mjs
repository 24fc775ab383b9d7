// The omnifuse side of the accuracy-parity benchmark: MultiBench's AV-MNIST LeNet models, built from
// omnifuse's plugins and trained by @omnifuse/trainer with MultiBench's recipe, on the same AV-MNIST
// build and the same first N records of each split as torch_parity.py (its docstring has the recipe).
//
//   image  vision:cnn preset lenet, LeNet(1, 6, 3) on the 28×28 PNG (pixels / 255) → 48
//   audio  audio:cnn2d LeNet(1, 6, 5) on the MultiBench spectrogram (centre 8,000 samples, Hann,
//          nFft 222, 112 frames, 112 bins, log1p(10·|X|), standardised with the training split's
//          global mean and std: `standardize: 'global'`) → 192
//   lf     both through fusion:concat (no projection) → 240
//   head   Linear(…, 100) → ReLU → Linear(100, 10)
//   training  sgd lr 0.1, weightDecay 1e-4 (PyTorch's coupled L2), batch 40, gradientClipNorm 8,
//          initialization 'pytorch', the best epoch by val_accuracy restored (monitor), shuffled
//
//   node --conditions=@omnifuse/source --import tsx bench/accuracy-parity/omnifuse-parity.mjs \
//     --data=/tmp/omnifuse-av-mnist-12db --models=image,audio,lf --seeds=1,2,3 --epochs=30 \
//     [--train=N --validation=N --test=N] [--workers=1] [--init=pytorch|plugin] [--out=FILE]
//
// Progress: one JSON line per epoch on stderr; the result (same shape as torch_parity.py's) on
// stdout and in --out. report.mjs prints both side by side.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataset, createFeatureCache, loadManifest, selectBackend } from '@omnifuse/core';
import concat from '@omnifuse/fusion-concat';
import { cnn2dEncoderPlugin } from '@omnifuse/modality-audio';
import { cnnEncoderPlugin } from '@omnifuse/modality-vision';
import { train } from '@omnifuse/trainer';

const flags = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    return [key, value];
  }),
);
const list = (value, fallback) => (value ?? fallback).split(',').filter(Boolean);
const count = (name) => (flags[name] === undefined ? Number.POSITIVE_INFINITY : Number(flags[name]));
const settings = {
  data: path.resolve(flags.data ?? path.join(os.tmpdir(), 'omnifuse-av-mnist-12db')),
  models: list(flags.models, 'image,audio,lf'),
  seeds: list(flags.seeds, '1,2,3').map(Number),
  epochs: Number(flags.epochs ?? 30),
  batch: Number(flags.batch ?? 40),
  lr: Number(flags.lr ?? 0.1),
  weightDecay: Number(flags['weight-decay'] ?? 1e-4),
  clip: Number(flags.clip ?? 8),
  init: flags.init ?? 'pytorch',
  workers: flags.workers === 'auto' ? 'auto' : Number(flags.workers ?? 1),
  backend: flags.backend ?? 'wasm',
  limits: { train: count('train'), validation: count('validation'), test: count('test') },
};
const MODELS = ['image', 'audio', 'lf'];
for (const model of settings.models) {
  if (!MODELS.includes(model)) throw new Error(`--models: unknown "${model}"; expected some of ${MODELS}`);
}

/** MultiBench's LeNet(1, 6, 3) on the 28×28 grey image. */
const imageInput = {
  field: 'image',
  encoder: 'vision:cnn',
  options: {
    preset: 'lenet',
    inChannels: 1,
    baseFilters: 6,
    extraBlocks: 3,
    preprocess: { size: { width: 28, height: 28 }, channels: 1 },
  },
};
/** MultiBench's LeNet(1, 6, 5) on its 112×112 spectrogram. */
export const MULTIBENCH_AUDIO_INPUT = {
  field: 'audio',
  encoder: 'audio:cnn2d',
  options: {
    preprocess: {
      sampleRate: 8000,
      duration: 1,
      crop: 'centre',
      standardize: 'global',
      features: { kind: 'magnitude', nFft: 222, frames: 112, bins: 112, log1p: 10 },
    },
    baseFilters: 6,
    extraBlocks: 5,
    firstKernel: 5,
    head: 'flatten',
  },
};

function specFor(model, seed) {
  const inputs =
    model === 'image'
      ? [imageInput]
      : model === 'audio'
        ? [MULTIBENCH_AUDIO_INPUT]
        : [imageInput, MULTIBENCH_AUDIO_INPUT];
  return {
    inputs,
    ...(model === 'lf' ? { fusion: { type: 'fusion:concat', options: {} } } : {}),
    output: { type: 'classification', field: 'label', head: { hidden: [100], dropout: 0 } },
    split: { type: 'column', column: 'split' },
    training: {
      epochs: settings.epochs,
      batchSize: settings.batch,
      learningRate: settings.lr,
      optimizer: 'sgd',
      optimizerOptions: { weightDecay: settings.weightDecay },
      gradientClipNorm: settings.clip,
      seed,
      initialization: settings.init,
      monitor: 'val_accuracy',
      restoreBestWeights: true,
      workers: settings.workers,
    },
  };
}

/** The first `limits[split]` records of each split, in manifest order (as torch_parity.py reads them). */
async function loadData() {
  const full = await loadManifest(path.join(settings.data, 'manifest.jsonl'), {
    fieldTypes: { image: 'image', audio: 'audio', label: 'category', split: 'category' },
  });
  const taken = { train: 0, validation: 0, test: 0 };
  const records = full.records.filter((record) => {
    const split = record.split;
    if (!(split in taken) || taken[split] >= settings.limits[split]) return false;
    taken[split]++;
    return true;
  });
  return {
    dataset: createDataset(records, {
      root: settings.data,
      fieldTypes: { image: 'image', audio: 'audio', label: 'category', split: 'category' },
      idField: 'id',
    }),
    samples: taken,
  };
}

function summarise(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std =
    values.length > 1
      ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1))
      : null;
  return { mean, std, values };
}

async function trainOne(model, seed, dataset, backend, cache) {
  const started = performance.now();
  const result = await train({
    dataset,
    registry: [cnnEncoderPlugin, cnn2dEncoderPlugin, ...concat],
    backend: backend.name,
    cache,
    spec: specFor(model, seed),
    callbacks: [
      {
        onEpochEnd: ({ epoch, metrics, seconds }) => {
          process.stderr.write(
            `${JSON.stringify({
              model,
              seed,
              epoch: epoch + 1,
              loss: metrics.loss,
              train_acc: metrics.accuracy,
              val_acc: metrics.val_accuracy,
              seconds,
            })}\n`,
          );
        },
      },
    ],
  });
  const history = result.history;
  const run = {
    test: result.metrics.test.accuracy,
    validation: history.epochs[history.bestEpoch]?.val_accuracy ?? null,
    best_epoch: history.bestEpoch + 1,
    seconds: (performance.now() - started) / 1000,
    epoch_seconds: history.seconds / history.epochs.length,
  };
  const audio = result.model.encoders.audio?.state?.standardize;
  if (audio) run.spectrogram = audio;
  result.model.dispose();
  return run;
}

const backend = await selectBackend(settings.backend);
const { dataset, samples } = await loadData();
const cache = createFeatureCache({ dir: path.join(settings.data, '.omnifuse-cache') });
const runs = {};
for (const model of settings.models) {
  runs[model] = {};
  for (const seed of settings.seeds)
    runs[model][String(seed)] = await trainOne(model, seed, dataset, backend, cache);
}
const buildFile = path.join(settings.data, 'build.json');
const output = {
  settings: {
    models: settings.models,
    seeds: settings.seeds,
    epochs: settings.epochs,
    batch: settings.batch,
    optimizer: 'sgd',
    lr: settings.lr,
    momentum: 0,
    weight_decay: settings.weightDecay,
    clip: settings.clip,
    initialization: settings.init,
    workers: settings.workers,
    backend: backend.name,
    selection: 'best validation accuracy',
  },
  data: {
    folder: settings.data,
    samples,
    build: existsSync(buildFile) ? JSON.parse(readFileSync(buildFile, 'utf8')) : null,
  },
  versions: { node: process.version },
  runs,
  summary: Object.fromEntries(
    Object.entries(runs).map(([model, perSeed]) => [
      model,
      {
        test: summarise(Object.values(perSeed).map((r) => r.test)),
        validation: summarise(Object.values(perSeed).map((r) => r.validation)),
      },
    ]),
  ),
};
const text = JSON.stringify(output, null, 2);
console.log(text);
if (flags.out) {
  const temporary = `${flags.out}.${process.pid}.tmp`;
  writeFileSync(temporary, `${text}\n`);
  renameSync(temporary, flags.out);
}
