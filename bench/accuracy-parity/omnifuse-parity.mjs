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
//     [--lockstep=DIR]
//
// --wasm-reductions=tfjs puts tfjs-backend-wasm's own Sum and Mean (float32 accumulators) back in
// place of omnifuse's (float64), to measure what they change (bench/README.md, "lockstep").
//
// --lockstep=DIR writes each run's initial weights and batch order to DIR (lockstep-trainer.mjs)
// and each training batch's loss into the result, for torch_parity.py --lockstep=DIR to start
// from the same weights and take the same batches; lockstep.mjs compares the two runs step by step.
//
// Progress: one JSON line per epoch on stderr; the result (same shape as torch_parity.py's) on
// stdout and in --out. report.mjs prints both side by side. multibench.mjs holds the audio input and
// the recipe, common.mjs the plumbing, both shared with fsdd-speakers.mjs.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataset, createFeatureCache, loadManifest } from '@omnifuse/core';
import concat from '@omnifuse/fusion-concat';
import { cnn2dEncoderPlugin } from '@omnifuse/modality-audio';
import { cnnEncoderPlugin } from '@omnifuse/modality-vision';
import { selectBackend } from '@omnifuse/runtime';
import * as tf from '@tensorflow/tfjs';
import { list, parseFlags, summarise, trainAndScore, writeResult } from './common.mjs';
import { LOCKSTEP_TRAINER, lockstepTrainerPlugin } from './lockstep-trainer.mjs';
import {
  MULTIBENCH_AUDIO_INPUT,
  MULTIBENCH_HEAD,
  MULTIBENCH_IMAGE_INPUT,
  multibenchRecipe,
  multibenchSettings,
  multibenchTraining,
} from './multibench.mjs';

const flags = parseFlags();
const count = (name) => (flags[name] === undefined ? Number.POSITIVE_INFINITY : Number(flags[name]));
const settings = {
  data: path.resolve(flags.data ?? path.join(os.tmpdir(), 'omnifuse-av-mnist-12db')),
  models: list(flags.models, 'image,audio,lf'),
  seeds: list(flags.seeds, '1,2,3').map(Number),
  recipe: multibenchRecipe(flags),
  backend: flags.backend ?? 'wasm',
  limits: { train: count('train'), validation: count('validation'), test: count('test') },
  lockstep: flags.lockstep ? path.resolve(flags.lockstep) : null,
};
const MODELS = ['image', 'audio', 'lf'];
for (const model of settings.models) {
  if (!MODELS.includes(model)) throw new Error(`--models: unknown "${model}"; expected some of ${MODELS}`);
}

function specFor(model, seed) {
  const inputs =
    model === 'image'
      ? [MULTIBENCH_IMAGE_INPUT]
      : model === 'audio'
        ? [MULTIBENCH_AUDIO_INPUT]
        : [MULTIBENCH_IMAGE_INPUT, MULTIBENCH_AUDIO_INPUT];
  return {
    inputs,
    ...(model === 'lf' ? { fusion: { type: 'fusion:concat', options: {} } } : {}),
    output: { type: 'classification', field: 'label', head: MULTIBENCH_HEAD },
    split: { type: 'column', column: 'split' },
    training: {
      ...multibenchTraining(settings.recipe, seed),
      ...(settings.lockstep ? { trainer: LOCKSTEP_TRAINER, workers: 1 } : {}),
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

// tfjs-backend-wasm's own Sum and Mean, kept before omnifuse replaces them, for --wasm-reductions=tfjs.
const wasmOwn =
  flags['wasm-reductions'] === 'tfjs'
    ? await import('@tensorflow/tfjs-backend-wasm').then(() =>
        ['Sum', 'Mean'].map((name) => tf.getKernel(name, 'wasm')),
      )
    : null;
const backend = await selectBackend(settings.backend);
for (const kernel of wasmOwn ?? []) {
  // train() selects the backend again, and omnifuse re-registers its kernels over any it did not
  // write: the mark omnifuse puts on its own keeps wasm's in place.
  const kernelFunc = (args) => kernel.kernelFunc(args);
  Object.defineProperty(kernelFunc, Symbol.for('omnifuse.wasmTrainingKernel'), { value: true });
  tf.unregisterKernel(kernel.kernelName, 'wasm');
  tf.registerKernel({ ...kernel, kernelFunc });
}
const { dataset, samples } = await loadData();
const cache = createFeatureCache({ dir: path.join(settings.data, '.omnifuse-cache') });
const runs = {};
let current = null;
const registry = [cnnEncoderPlugin, cnn2dEncoderPlugin, ...concat];
if (settings.lockstep) {
  mkdirSync(settings.lockstep, { recursive: true });
  registry.push(lockstepTrainerPlugin(settings.lockstep, () => current));
}
for (const model of settings.models) {
  runs[model] = {};
  for (const seed of settings.seeds) {
    current = { model, seed };
    runs[model][String(seed)] = await trainAndScore({
      tag: { model, seed },
      dataset,
      registry,
      backend: backend.name,
      cache,
      spec: specFor(model, seed),
      lockstep: settings.lockstep !== null,
    });
  }
}
const buildFile = path.join(settings.data, 'build.json');
const output = {
  settings: {
    models: settings.models,
    seeds: settings.seeds,
    ...multibenchSettings(settings.recipe),
    backend: backend.name,
    lockstep: settings.lockstep,
    wasmReductions: wasmOwn ? 'tfjs' : 'omnifuse',
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
await writeResult(output, flags.out);
