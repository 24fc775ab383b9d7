// First times omnifuse's Conv2DBackpropFilter kernels on the conv layers of MultiBench's LF LeNet
// (WebAssembly SIMD against the plain-JS fallback, same inputs, same run), its
// Conv2DBackpropInput kernel against tfjs-backend-wasm's built-in one (both through the engine),
// and its MaxPoolGrad kernels (SIMD against JS) on the LeNet's 2×2 max pools.
// Then trains a small MNIST
// CNN for one epoch on tfjs's stock `cpu` backend and on `wasm` with omnifuse's training kernels,
// from identical initial weights, and prints both epoch times, their ratio and the final losses.
// See bench/README.md for how to run it.
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
const kernelsOnly = args.get('kernels-only') === 'true';

// The LF LeNet's conv layers at batch 40 (bench/lenet-lf.mjs): the audio LeNet(1, 6, 5) on
// 112×112 (5×5 pad 2, then 3×3 pad 1 with channels doubling after each 2×2 max pool) and the image
// LeNet(1, 6, 3) on 28×28. Inputs after the first layer come from ReLU + max pool: half zeros.
const lenetConvLayers = [
  { name: 'audio conv1 1→6 5×5', x: [40, 112, 112, 1], filter: [5, 5, 1, 6], pad: 2, xZeros: 0 },
  { name: 'audio conv2 6→12 3×3', x: [40, 56, 56, 6], filter: [3, 3, 6, 12], pad: 1, xZeros: 0.5 },
  { name: 'audio conv3 12→24 3×3', x: [40, 28, 28, 12], filter: [3, 3, 12, 24], pad: 1, xZeros: 0.5 },
  { name: 'audio conv4 24→48 3×3', x: [40, 14, 14, 24], filter: [3, 3, 24, 48], pad: 1, xZeros: 0.5 },
  { name: 'audio conv5 48→96 3×3', x: [40, 7, 7, 48], filter: [3, 3, 48, 96], pad: 1, xZeros: 0.5 },
  { name: 'audio conv6 96→192 3×3', x: [40, 3, 3, 96], filter: [3, 3, 96, 192], pad: 1, xZeros: 0.5 },
  { name: 'image conv1 1→6 5×5', x: [40, 28, 28, 1], filter: [5, 5, 1, 6], pad: 2, xZeros: 0.8 },
  { name: 'image conv2 6→12 3×3', x: [40, 14, 14, 6], filter: [3, 3, 6, 12], pad: 1, xZeros: 0.5 },
];

/** Median milliseconds of `fn` over at least 3 runs and about `budgetMs` of runs. */
function medianMs(fn, budgetMs = 600) {
  const times = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < budgetMs && times.length < 50)) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** SIMD against JS filter gradient on each layer; needs the TypeScript source (tsx). */
async function benchFilterGradient() {
  let js;
  let simd;
  let geometry;
  try {
    js = await import('../packages/runtime/src/kernels/conv2d-backprop-filter.ts');
    simd = await import('../packages/runtime/src/kernels/conv2d-backprop-filter-wasm.ts');
    geometry = await import('../packages/runtime/src/kernels/kernel-types.ts');
  } catch {
    console.log(
      'Conv2DBackpropFilter kernels: skipped (run with `node --import tsx` to load them from source)',
    );
    return;
  }
  const run = simd.createWasmConv2dBackpropFilter();
  if (!run) {
    console.log('Conv2DBackpropFilter kernels: skipped (no WebAssembly SIMD here)');
    return;
  }
  let seed = 1;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  console.log('Conv2DBackpropFilter, LF LeNet conv layers, batch 40 (median ms per call):');
  for (const layer of lenetConvLayers) {
    const info = tf.backend_util.computeConv2DInfo(layer.x, layer.filter, 1, 1, layer.pad);
    const g = geometry.convGeometry(info);
    const x = Float32Array.from({ length: layer.x.reduce((a, b) => a * b) }, () =>
      random() < layer.xZeros ? 0 : random(),
    );
    const dy = Float32Array.from({ length: info.outShape.reduce((a, b) => a * b) }, () => random() - 0.5);
    const size = layer.filter.reduce((a, b) => a * b);
    const jsOut = new Float32Array(size);
    const simdOut = new Float32Array(size);
    const jsMs = medianMs(() => js.conv2dBackpropFilterInto(x, dy, g, jsOut));
    const simdMs = medianMs(() => run(x, dy, g, simdOut));
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < size; i++) {
      scale = Math.max(scale, Math.abs(jsOut[i]));
      worst = Math.max(worst, Math.abs(jsOut[i] - simdOut[i]));
    }
    console.log(
      `  ${layer.name.padEnd(24)} js ${jsMs.toFixed(2).padStart(7)}   wasm SIMD ${simdMs.toFixed(2).padStart(6)}   ` +
        `js / SIMD ${(jsMs / simdMs).toFixed(1).padStart(5)}x   rel. diff ${(worst / scale).toExponential(1)}`,
    );
  }
}

/**
 * omnifuse's WebAssembly SIMD Conv2DBackpropInput against wasm's built-in, both run through
 * `tf.engine().runKernel` on the same inputs (ours registered only while it is timed).
 */
async function benchInputGradient() {
  let kernel;
  try {
    kernel = await import('../packages/runtime/src/kernels/conv2d-backprop-input.ts');
  } catch {
    console.log(
      'Conv2DBackpropInput kernels: skipped (run with `node --import tsx` to load them from source)',
    );
    return;
  }
  await tf.setBackend('wasm');
  const builtIn = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const ours = kernel.conv2dBackpropInputKernel(tf);
  const use = (config) => {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(config);
  };
  let seed = 2;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  console.log(
    'Conv2DBackpropInput, LF LeNet conv layers, batch 40 (median ms per call, through the engine):',
  );
  for (const layer of lenetConvLayers) {
    const info = tf.backend_util.computeConv2DInfo(layer.x, layer.filter, 1, 1, layer.pad);
    // dy below ReLU and max pooling: about 3/4 zeros, as in training.
    const dy = tf.tensor4d(
      Float32Array.from({ length: info.outShape.reduce((a, b) => a * b) }, () =>
        random() < 0.75 ? 0 : random() - 0.5,
      ),
      info.outShape,
    );
    const filter = tf.tensor4d(
      Float32Array.from({ length: layer.filter.reduce((a, b) => a * b) }, () => random() - 0.5),
      layer.filter,
    );
    const attrs = { strides: 1, pad: layer.pad, dataFormat: 'NHWC', inputShape: layer.x };
    const run = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs);
    const time = () => medianMs(() => run().dispose());
    const builtInMs = time();
    const reference = run();
    use(ours);
    const oursMs = time();
    const result = run();
    use(builtIn);
    const expected = reference.dataSync();
    const actual = result.dataSync();
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    tf.dispose([dy, filter, reference, result]);
    console.log(
      `  ${layer.name.padEnd(24)} built-in ${builtInMs.toFixed(2).padStart(7)}   wasm SIMD ${oursMs.toFixed(2).padStart(6)}   ` +
        `built-in / SIMD ${(builtInMs / oursMs).toFixed(1).padStart(5)}x   rel. diff ${(worst / scale).toExponential(1)}`,
    );
  }
}

// The LF LeNet's 2×2 stride-2 max pools at batch 40: each conv layer's output (after ReLU: about
// half zeros, so many ties).
const lenetPools = lenetConvLayers.map(({ name, x, filter }) => ({
  name: name.replace(/conv(\d).*/, 'pool$1'),
  x: [x[0], x[1], x[2], filter[3]],
}));

/** SIMD against JS max-pool gradient on each pool; needs the TypeScript source (tsx). */
async function benchMaxPoolGradient() {
  let js;
  let simd;
  try {
    js = await import('../packages/runtime/src/kernels/max-pool-grad.ts');
    simd = await import('../packages/runtime/src/kernels/max-pool-grad-wasm.ts');
  } catch {
    console.log('MaxPoolGrad kernels: skipped (run with `node --import tsx` to load them from source)');
    return;
  }
  const run = simd.createWasmMaxPoolGrad();
  if (!run) {
    console.log('MaxPoolGrad kernels: skipped (no WebAssembly SIMD here)');
    return;
  }
  let seed = 3;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  console.log('MaxPoolGrad, LF LeNet 2×2 stride-2 max pools, batch 40 (median ms per call):');
  let jsTotal = 0;
  let simdTotal = 0;
  for (const pool of lenetPools) {
    const info = tf.backend_util.computePool2DInfo(pool.x, 2, 2, 1, 'valid');
    const g = {
      batch: info.batchSize,
      inHeight: info.inHeight,
      inWidth: info.inWidth,
      channels: info.inChannels,
      outHeight: info.outHeight,
      outWidth: info.outWidth,
      filterHeight: info.filterHeight,
      filterWidth: info.filterWidth,
      strideHeight: info.strideHeight,
      strideWidth: info.strideWidth,
      dilationHeight: info.dilationHeight,
      dilationWidth: info.dilationWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    };
    const size = pool.x.reduce((a, b) => a * b);
    const x = Float32Array.from({ length: size }, () => (random() < 0.5 ? 0 : random()));
    const dy = Float32Array.from({ length: info.outShape.reduce((a, b) => a * b) }, () => random() - 0.5);
    const jsOut = new Float32Array(size);
    const simdOut = new Float32Array(size);
    const jsMs = medianMs(() => js.maxPoolGradInto(x, dy, g, jsOut));
    const simdMs = medianMs(() => run(x, dy, g, simdOut));
    jsTotal += jsMs;
    simdTotal += simdMs;
    let worst = 0;
    for (let i = 0; i < size; i++) worst = Math.max(worst, Math.abs(jsOut[i] - simdOut[i]));
    console.log(
      `  ${`${pool.name} [${pool.x}]`.padEnd(32)} js ${jsMs.toFixed(2).padStart(7)}   wasm SIMD ${simdMs.toFixed(2).padStart(6)}   ` +
        `js / SIMD ${(jsMs / simdMs).toFixed(1).padStart(5)}x   max abs diff ${worst.toExponential(1)}`,
    );
  }
  console.log(
    `  ${'all pools'.padEnd(32)} js ${jsTotal.toFixed(2).padStart(7)}   wasm SIMD ${simdTotal.toFixed(2).padStart(6)}   ` +
      `js / SIMD ${(jsTotal / simdTotal).toFixed(1).padStart(5)}x`,
  );
}

await benchFilterGradient();
await benchInputGradient();
await benchMaxPoolGradient();
if (kernelsOnly) process.exit(0);

if (!existsSync(path.join(mnistDir, 'train-images-idx3-ubyte.gz'))) {
  console.error(`MNIST not found at ${mnistDir}: this benchmark needs ../shared/data/mnist (gzipped IDX).`);
  process.exit(1);
}

/**
 * Built dist when it exports the kernels (plain `node`), else the TypeScript source (needs tsx);
 * `--source` skips a dist that may be older than the source.
 */
async function loadKernels() {
  const dist = path.resolve(here, '../packages/runtime/dist/index.js');
  if (existsSync(dist) && args.get('source') !== 'true') {
    const runtime = await import(dist);
    if (typeof runtime.registerWasmTrainingKernels === 'function') return { ...runtime, from: 'dist' };
  }
  try {
    const src = '../packages/runtime/src/kernels/register-wasm-training-kernels.ts';
    return { ...(await import(src)), from: 'src (tsx)' };
  } catch (error) {
    console.error(
      'Cannot load omnifuse kernels: build @omnifuse/runtime (npm run build -w @omnifuse/runtime) or run with ' +
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
