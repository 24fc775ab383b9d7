// The omnifuse side of the speaker-disjoint FSDD benchmark: an audio-only model trained by
// @omnifuse/trainer on four FSDD speakers and scored on the fifth, each held out in turn, with the
// same folds, splits and --limit as fsdd_speakers.py (its docstring has the split rule).
//
// --encoder picks the audio input and its recipe:
//   multibench  multibench.mjs's MULTIBENCH_AUDIO_INPUT (MultiBench's 112×112 spectrogram,
//               standardised on the fold's training split, LeNet(1, 6, 5)), head [100], MultiBench's
//               SGD recipe (sgd 0.1, weightDecay 1e-4, batch 40, clip 8, PyTorch init, best
//               val_accuracy restored, 30 epochs): fsdd_speakers.py's model in omnifuse
//               — the AV-MNIST example's default audio model (examples/av-mnist/audio-input.mjs)
//   mfcc        the AV-MNIST example's earlier audio model (audio-input.mjs's MFCC_DEFAULTS:
//               1 s centred, peak gain 0.9, MFCC 20 of 40 mels, nFft 512, hop 128, LeNet(1, 6, 3)
//               first kernel 5), head [100] dropout 0.2, its own recipe (Adam 0.002, batch 64,
//               10 epochs, best val_loss restored)
//   logmel      audio:cnn2d with its package defaults (1.4 s, 112 log-mels every 100 samples,
//               LeNet(1, 6, 5)), head [100], MultiBench's SGD recipe
// --epochs overrides the recipe's epochs; the multibench recipe's other flags (--batch, --lr,
// --weight-decay, --clip, --init) apply to multibench and logmel.
//
//   node --conditions=@omnifuse/source --import tsx bench/accuracy-parity/fsdd-speakers.mjs \
//     --encoder=multibench --seeds=1 --out=fsdd-multibench.json
//   … --encoder=mfcc --seeds=1 --out=fsdd-mfcc.json
//   … --encoder=logmel --seeds=1 --out=fsdd-logmel.json
// Other flags (defaults): --folds=george,jackson,nicolas,theo,yweweler --workers=1 --backend=wasm
//   --data=../shared/data/fsdd/recordings --cache=<tmp>/omnifuse-fsdd-cache (or none) --limit=N
//   (at most N clips per split, for smoke runs: --folds=theo --epochs=2 --limit=200)
//
// Progress: one JSON line per epoch on stderr ({fold, encoder, seed, epoch, …}); the result (the
// shape of fsdd_speakers.py's, plus the encoder's input spec) on stdout and in --out.
// report-fsdd.mjs tabulates the results of both sides.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataset, createFeatureCache } from '@omnifuse/core';
import { cnn2dEncoderPlugin } from '@omnifuse/modality-audio';
import { selectBackend } from '@omnifuse/runtime';
import { ADAM_RECIPE, audioInput, MFCC_DEFAULTS, MFCC_HEAD } from '../../examples/av-mnist/audio-input.mjs';
import { list, parseFlags, summarise, trainAndScore, workersFlag, writeResult } from './common.mjs';
import {
  MULTIBENCH_AUDIO_INPUT,
  MULTIBENCH_HEAD,
  multibenchRecipe,
  multibenchSettings,
  multibenchTraining,
} from './multibench.mjs';

const SPEAKERS = ['george', 'jackson', 'nicolas', 'theo', 'yweweler'];
/** Recording index 45–49 of the training speakers is the validation split. */
const VALIDATION_FROM = 45;
const FILE_NAME = /^(\d)_([a-z]+)_(\d+)\.wav$/;
const here = path.dirname(fileURLToPath(import.meta.url));

const flags = parseFlags();

/** The AV-MNIST example's earlier recipe (Adam, restoreBestWeights by the default monitor, val_loss). */
function exampleRecipe() {
  const epochs = Number(flags.epochs ?? ADAM_RECIPE.epochs);
  const workers = workersFlag(flags.workers);
  const { batchSize, learningRate } = ADAM_RECIPE;
  return {
    training: (seed) => ({ epochs, batchSize, learningRate, seed, restoreBestWeights: true, workers }),
    settings: {
      epochs,
      batch: batchSize,
      optimizer: 'adam',
      lr: learningRate,
      initialization: 'plugin',
      workers,
      selection: 'best validation loss',
    },
  };
}

function sgdRecipe() {
  const recipe = multibenchRecipe(flags);
  return { training: (seed) => multibenchTraining(recipe, seed), settings: multibenchSettings(recipe) };
}

const ENCODERS = {
  multibench: () => ({ input: MULTIBENCH_AUDIO_INPUT, head: MULTIBENCH_HEAD, ...sgdRecipe() }),
  mfcc: () => ({ input: audioInput(MFCC_DEFAULTS), head: MFCC_HEAD, ...exampleRecipe() }),
  logmel: () => ({
    input: { field: 'audio', encoder: 'audio:cnn2d', options: {} },
    head: MULTIBENCH_HEAD,
    ...sgdRecipe(),
  }),
};

const encoderName = flags.encoder ?? 'multibench';
if (!ENCODERS[encoderName]) {
  throw new Error(`--encoder: unknown "${encoderName}"; expected one of ${Object.keys(ENCODERS)}`);
}
const encoder = ENCODERS[encoderName]();
const settings = {
  data: path.resolve(flags.data ?? path.join(here, '../../../shared/data/fsdd/recordings')),
  folds: list(flags.folds, SPEAKERS.join(',')),
  seeds: list(flags.seeds, '1').map(Number),
  limit: flags.limit === undefined ? null : Number(flags.limit),
  backend: flags.backend ?? 'wasm',
  cache:
    flags.cache === 'none'
      ? false
      : path.resolve(flags.cache ?? path.join(os.tmpdir(), 'omnifuse-fsdd-cache')),
};
for (const fold of settings.folds) {
  if (!SPEAKERS.includes(fold)) throw new Error(`--folds: unknown "${fold}"; expected some of ${SPEAKERS}`);
}
if (settings.limit !== null && !(settings.limit >= 1)) throw new Error('--limit must be at least 1');

/** The five speakers' recordings, ordered by (index, digit, speaker) as fsdd_speakers.py orders them. */
function readRecordings(folder) {
  const recordings = readdirSync(folder)
    .map((file) => FILE_NAME.exec(file))
    .filter((match) => match && SPEAKERS.includes(match[2]))
    .map(([file, digit, speaker, index]) => ({ file, label: digit, speaker, index: Number(index) }));
  if (recordings.length === 0) throw new Error(`${folder}: no {digit}_{speaker}_{index}.wav recordings`);
  const order = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  return recordings.sort(
    (a, b) => a.index - b.index || order(a.label, b.label) || order(a.speaker, b.speaker),
  );
}

/** Fold `heldOut`'s records, each split cut to its first `limit` (null: all). */
function foldRecords(recordings, heldOut, limit) {
  const taken = { train: 0, validation: 0, test: 0 };
  const records = [];
  for (const r of recordings) {
    const split = r.speaker === heldOut ? 'test' : r.index >= VALIDATION_FROM ? 'validation' : 'train';
    if (limit !== null && taken[split] >= limit) continue;
    taken[split]++;
    records.push({ id: r.file, audio: r.file, label: r.label, split });
  }
  return { records, samples: taken };
}

function specFor(seed) {
  return {
    inputs: [encoder.input],
    output: { type: 'classification', field: 'label', head: encoder.head },
    split: { type: 'column', column: 'split' },
    training: encoder.training(seed),
  };
}

const backend = await selectBackend(settings.backend);
const cache = settings.cache && createFeatureCache({ dir: settings.cache });
const recordings = readRecordings(settings.data);
const samples = {};
const runs = {};
for (const fold of settings.folds) {
  const { records, samples: counts } = foldRecords(recordings, fold, settings.limit);
  samples[fold] = counts;
  const dataset = createDataset(records, {
    root: settings.data,
    fieldTypes: { audio: 'audio', label: 'category', split: 'category' },
    idField: 'id',
  });
  runs[fold] = {};
  for (const seed of settings.seeds) {
    runs[fold][String(seed)] = await trainAndScore({
      tag: { fold, encoder: encoderName, seed },
      dataset,
      registry: [cnn2dEncoderPlugin],
      backend: backend.name,
      cache,
      spec: specFor(seed),
    });
  }
}

const overSeeds = (fold, key) => summarise(Object.values(runs[fold]).map((run) => run[key]));
const summary = Object.fromEntries(
  settings.folds.map((fold) => [
    fold,
    { test: overSeeds(fold, 'test'), validation: overSeeds(fold, 'validation') },
  ]),
);
// Over the folds' means: the mean is the pooled accuracy (every test set has 500 clips), the std is
// across held-out speakers.
const overFolds = (key) => summarise(settings.folds.map((fold) => summary[fold][key].mean));
await writeResult(
  {
    side: 'omnifuse',
    encoder: encoderName,
    settings: {
      model: 'audio',
      encoder: encoderName,
      input: encoder.input,
      head: encoder.head,
      folds: settings.folds,
      seeds: settings.seeds,
      ...encoder.settings,
      backend: backend.name,
      limit: settings.limit,
    },
    data: {
      folder: settings.data,
      clips: recordings.length,
      split: `test: the held-out speaker; validation: the others' index ${VALIDATION_FROM}-49; train: the others' index 0-${VALIDATION_FROM - 1}`,
      samples,
    },
    versions: { node: process.version },
    runs,
    summary,
    overall: { test: overFolds('test'), validation: overFolds('validation') },
  },
  flags.out,
);
