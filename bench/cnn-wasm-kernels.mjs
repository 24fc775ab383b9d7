// Trains a small MNIST CNN for one epoch on tfjs's stock `cpu` backend and on `wasm` with omnifuse's
// training kernels, from identical initial weights, and prints both epoch times, their ratio and
// the final losses. See bench/README.md for how to run it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const here = path.dirname(fileURLToPath(import.meta.url));
const mnistDir = path.resolve(here, '../../shared/data/mnist');
const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const samples = Number(args.get('samples') ?? 2000);
const batchSize = Number(args.get('batch') ?? 32);
const backends = (args.get('backends') ?? 'cpu,wasm').split(',');

if (!existsSync(path.join(mnistDir, 'train-images-idx3-ubyte.gz'))) {
  console.error(`MNIST not found at ${mnistDir}: this benchmark needs ../shared/data/mnist (gzipped IDX).`);
  process.exit(1);
}

/** Built dist when it exports the kernels (plain `node`), else the TypeScript source (needs tsx). */
async function loadKernels() {
  const dist = path.resolve(here, '../packages/core/dist/index.js');
  if (existsSync(dist)) {
    const core = await import(dist);
    if (typeof core.registerWasmTrainingKernels === 'function') return { ...core, from: 'dist' };
  }
  try {
    const src = '../packages/core/src/kernels/register-wasm-training-kernels.ts';
    return { ...(await import(src)), from: 'src (tsx)' };
  } catch (error) {
    console.error(
      'Cannot load omnifuse kernels: build @omnifuse/core (npm run build -w @omnifuse/core) or run with ' +
        '`node --import tsx bench/cnn-wasm-kernels.mjs`.',
    );
    console.error(String(error));
    process.exit(1);
  }
}

function readIdx(file) {
  const bytes = gunzipSync(readFileSync(path.join(mnistDir, file)));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = bytes[3];
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
  return { shape, data: bytes.subarray(4 + 4 * dims) };
}

function loadMnist(n) {
  const images = readIdx('train-images-idx3-ubyte.gz');
  const labels = readIdx('train-labels-idx1-ubyte.gz');
  const pixels = 28 * 28;
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < n * pixels; i++) x[i] = images.data[i] / 255;
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + labels.data[i]] = 1;
  return { x, y };
}

function buildModel() {
  // Seeded, so the printed losses are reproducible from run to run.
  const init = (seed) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

async function trainOneEpoch(backend, data, initialWeights) {
  await tf.setBackend(backend);
  await tf.ready();
  const model = buildModel();
  model.setWeights(initialWeights.map(({ shape, values }) => tf.tensor(values, shape)));
  const x = tf.tensor4d(data.x, [samples, 28, 28, 1]);
  const y = tf.tensor2d(data.y, [samples, 10]);
  // Unshuffled, so both backends see the same batches in the same order.
  const start = performance.now();
  const history = await model.fit(x, y, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
  const seconds = (performance.now() - start) / 1000;
  const evalLoss = model.evaluate(x, y, { batchSize: 256 }).dataSync()[0];
  tf.dispose([x, y]);
  model.dispose();
  return { seconds, trainLoss: history.history.loss[0], evalLoss };
}

const kernels = await loadKernels();
const registered = kernels.registerWasmTrainingKernels(tf);
const data = loadMnist(samples);
await tf.setBackend('cpu');
const initialWeights = buildModel()
  .getWeights()
  .map((w) => ({ shape: w.shape, values: w.dataSync().slice() }));

console.log(
  `MNIST CNN, ${samples} images, batch ${batchSize}, Adam, 1 epoch; tfjs ${tf.version.tfjs}; ` +
    `omnifuse kernels from ${kernels.from}: ${registered.join(', ')}`,
);
const results = {};
for (const backend of backends) {
  results[backend] = await trainOneEpoch(backend, data, initialWeights);
  const r = results[backend];
  console.log(
    `${backend.padEnd(5)} epoch ${r.seconds.toFixed(2)} s   train loss ${r.trainLoss.toFixed(7)}   ` +
      `loss after epoch ${r.evalLoss.toFixed(7)}`,
  );
}
if (results.cpu && results.wasm) {
  const ratio = results.cpu.seconds / results.wasm.seconds;
  const lossGap = Math.abs(results.cpu.evalLoss - results.wasm.evalLoss);
  console.log(`speed-up cpu / wasm: ${ratio.toFixed(1)}x   |loss gap| ${lossGap.toExponential(2)}`);
}
