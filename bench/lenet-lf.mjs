// MultiBench's AV-MNIST late-fusion ("LF") LeNet, one epoch on CPU: omnifuse (composeModel with
// vision:cnn LeNet(1, 6, 3) on 28×28, audio:cnn2d LeNet(1, 6, 5) on 112×112, fusion:concat, an MLP
// head 240 → 100 → 10; trained by @omnifuse/trainer's supervised trainer on the wasm backend with
// omnifuse's kernels) against the same model in PyTorch (bench/lenet-lf-torch.py, Debian's
// /usr/bin/python3, 1 and 2 threads) on synthetic tensors of the same shapes, in the same run.
//
//   node --conditions=@omnifuse/source --import tsx bench/lenet-lf.mjs [--samples=2000] [--batch=40] [--epochs=1]
//     [--workers=1,2] [--torch-epochs=3] [--torch-threads=1,2]
//
// omnifuse times `epochs` epochs after a 2-batch warm-up, once per count in `--workers` (data-parallel
// gradient threads, `training.workers`; each count starts from the same initial weights); PyTorch
// `torch-epochs` after a warm-up epoch (medians). The last table puts omnifuse at N workers against
// PyTorch at N threads, and N workers against 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The LF model's spec: MultiBench's encoders, plain concat (no projection), head MLP(240, 100, 10). */
export const LENET_LF_SPEC = {
  inputs: [
    {
      field: 'image',
      encoder: 'vision:cnn',
      options: {
        preset: 'lenet',
        inChannels: 1,
        baseFilters: 6,
        extraBlocks: 3,
        preprocess: { size: { width: 28, height: 28 }, channels: 1 },
      },
    },
    {
      field: 'audio',
      encoder: 'audio:cnn2d',
      // 112 frames × 112 bins as MultiBench's spectrograms; only the shape matters here (no preprocessing).
      options: {
        baseFilters: 6,
        extraBlocks: 5,
        firstKernel: 5,
        head: 'flatten',
        preprocess: {
          sampleRate: 8000,
          duration: 1.4,
          features: { kind: 'logmel', nFft: 256, hopLength: 100, nMels: 112 },
        },
      },
    },
  ],
  fusion: { type: 'fusion:concat', options: {} },
  output: { type: 'classification', field: 'label', head: { hidden: [100], dropout: 0 } },
  training: { epochs: 1, batchSize: 40, learningRate: 1e-3, optimizer: 'adam', seed: 1 },
};
export const IMAGE_SHAPE = [28, 28, 1];
export const AUDIO_SHAPE = [112, 112, 1];
export const CLASSES = 10;

/**
 * Composes the LF model through omnifuse (`composeModel`) with encoder states giving the feature
 * shapes directly, so no data is preprocessed. Returns the model and its input names.
 */
export async function buildLenetLf(tf, overrides = {}) {
  const core = await import('@omnifuse/core');
  const { cnnEncoderPlugin } = await import('@omnifuse/modality-vision');
  const { cnn2dEncoderPlugin } = await import('@omnifuse/modality-audio');
  const concat = (await import('@omnifuse/fusion-concat')).default;
  const spec = core.parseModelSpec({
    ...LENET_LF_SPEC,
    training: { ...LENET_LF_SPEC.training, ...overrides },
  });
  const registry = core.createRegistry([cnnEncoderPlugin, cnn2dEncoderPlugin, ...concat]);
  const encoders = {};
  for (const [input, shape] of [
    [spec.inputs[0], IMAGE_SHAPE],
    [spec.inputs[1], AUDIO_SHAPE],
  ]) {
    const encoder = registry.encoder(input.encoder).create(input.options);
    encoders[input.field] = { encoder, state: { featureSpec: { dtype: 'float32', shape } } };
  }
  const fusion = registry.fusion(spec.fusion.type).create(spec.fusion.options);
  const labels = Array.from({ length: CLASSES }, (_, i) => String(i));
  const task = { type: 'classification', field: 'label', labels };
  const composed = core.composeModel({ tf, spec, encoders, fusion, task, seed: spec.training.seed });
  return { ...composed, spec, task, encoders, registry };
}

/** Trainable parameters, and per-group counts (image encoder, audio encoder, the rest). */
export function parameterCounts(model) {
  const groups = { image: 0, audio: 0, head: 0 };
  for (const w of model.trainableWeights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const group = w.name.startsWith('image') ? 'image' : w.name.startsWith('audio') ? 'audio' : 'head';
    groups[group] += n;
  }
  return { total: groups.image + groups.audio + groups.head, ...groups };
}

/** Seeded synthetic table: uniform [0, 1) pixels and spectrogram values, labels cycling 0…9. */
export function syntheticTable(tf, size, inputNames, seed = 7) {
  let state = seed >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const fill = (n) => Float32Array.from({ length: n }, next);
  const image = fill(size * 28 * 28);
  const audio = fill(size * 112 * 112);
  const labels = Int32Array.from({ length: size }, (_, i) => i % CLASSES);
  const inputs = {};
  for (const name of inputNames) {
    if (name.endsWith('__presence')) inputs[name] = tf.ones([size, 1]);
    else if (name.startsWith('image')) inputs[name] = tf.tensor4d(image, [size, ...IMAGE_SHAPE]);
    else inputs[name] = tf.tensor4d(audio, [size, ...AUDIO_SHAPE]);
  }
  const target = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat();
  return { table: { size, inputs, target }, raw: { image, audio, labels } };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const args = new Map(
    process.argv
      .slice(2)
      .map((a) => a.replace(/^--/, '').split('='))
      .map(([k, v]) => [k, v ?? 'true']),
  );
  const samples = Number(args.get('samples') ?? 2000);
  const batch = Number(args.get('batch') ?? 40);
  // An omnifuse epoch of 2,000 takes ~100 s on this VM, so one timed epoch after a 2-batch warm-up;
  // PyTorch's are short enough for a warm-up epoch and a median of three.
  const epochs = Number(args.get('epochs') ?? 1);
  const torchEpochs = Number(args.get('torch-epochs') ?? 3);
  const threads = (args.get('torch-threads') ?? '1,2').split(',').filter(Boolean).map(Number);

  const workerCounts = (args.get('workers') ?? '1').split(',').filter(Boolean).map(Number);

  const { selectBackend } = await import('@omnifuse/runtime');
  const { createSupervisedTrainer, replicaRecipe } = await import('@omnifuse/trainer');
  const backend = await selectBackend('wasm');
  const tf = backend.tf;
  const runs = [];
  let params;
  for (const workers of workerCounts) {
    const built = await buildLenetLf(tf, { batchSize: batch });
    const { model, inputNames, task } = built;
    params = parameterCounts(model);
    const replica = replicaRecipe({ ...built, baseDir: path.resolve(here, '..'), seed: 1, backend: 'wasm' });
    const { table } = syntheticTable(tf, samples, inputNames);
    const trainer = createSupervisedTrainer();
    const options = {
      epochs,
      batchSize: batch,
      learningRate: 1e-3,
      optimizer: 'adam',
      shuffle: true,
      seed: 1,
      workers,
    };
    // Warm-up (kernel compilation, first allocations): two batches, same weights carried on. With
    // workers it warms this thread only; each timed run starts its own workers.
    const warm = syntheticTable(tf, 2 * batch, inputNames, 11).table;
    await trainer.fit({ model, task, train: warm, options: { ...options, epochs: 1, workers: 1 } });
    tf.dispose([...Object.values(warm.inputs), warm.target]);
    const epochSeconds = [];
    // CPU seconds of the process per epoch too (with workers: all threads).
    const cpuSeconds = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    };
    const cpuMarks = [];
    const history = await trainer.fit({
      model,
      task,
      train: table,
      options,
      replica,
      callbacks: [
        {
          onTrainBegin: () => void cpuMarks.push(cpuSeconds()),
          onEpochEnd: ({ seconds }) => {
            epochSeconds.push(seconds);
            cpuMarks.push(cpuSeconds());
          },
        },
      ],
    });
    const cpuEpochs = cpuMarks.slice(1).map((t, i) => t - cpuMarks[i]);
    runs.push({
      workers,
      seconds: median(epochSeconds),
      all: epochSeconds,
      cpu: median(cpuEpochs),
      loss: history.epochs.at(-1).loss,
    });
    tf.dispose([...Object.values(table.inputs), table.target]);
    model.dispose();
  }
  const omnifuse = runs[0];
  const load = os.loadavg();

  const torchRuns = [];
  const python = '/usr/bin/python3';
  const hasTorch =
    existsSync(python) && spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  if (hasTorch) {
    for (const n of threads) {
      const run = spawnSync(
        python,
        [
          path.join(here, 'lenet-lf-torch.py'),
          `--samples=${samples}`,
          `--batch=${batch}`,
          `--epochs=${torchEpochs}`,
          `--threads=${n}`,
        ],
        { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(n), MKL_NUM_THREADS: String(n) } },
      );
      if (run.status !== 0) {
        console.error(run.stderr);
        process.exit(1);
      }
      torchRuns.push(JSON.parse(run.stdout.trim().split('\n').at(-1)));
    }
  }

  console.log(
    `AV-MNIST LF LeNet, ${samples} synthetic samples (image 28×28×1, audio 112×112×1), batch ${batch}, Adam 1e-3, ` +
      `omnifuse: median of ${epochs} epoch(s) after a 2-batch warm-up, PyTorch: median of ${torchEpochs} after a warm-up epoch; tfjs ${tf.version.tfjs} ${tf.getBackend()} ` +
      `(kernels: ${backend.kernels.join(', ') || 'none'}); load average ${load.map((l) => l.toFixed(2)).join(' ')}`,
  );
  console.log(
    `parameters: omnifuse ${params.total} (image ${params.image}, audio ${params.audio}, head ${params.head})` +
      (torchRuns[0]
        ? `; torch ${torchRuns[0].params.total} (image ${torchRuns[0].params.image}, audio ${torchRuns[0].params.audio}, head ${torchRuns[0].params.head})`
        : ''),
  );
  const rows = [
    ...runs.map((r) => [
      `omnifuse (wasm, ${r.workers} worker${r.workers > 1 ? 's' : ''}, trainer)`,
      r.seconds,
      r.all,
      r.cpu,
      r.loss,
    ]),
    ...torchRuns.map((r) => [
      `PyTorch ${r.version} (${r.threads} thread${r.threads > 1 ? 's' : ''})`,
      r.seconds,
      r.all,
      r.cpu,
      r.loss,
    ]),
  ];
  console.log(
    '| run | epoch wall s (median) | epochs wall s | epoch CPU s (median) | last-epoch train loss | ' +
      'omnifuse / this (wall) | omnifuse / this (CPU) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, s, all, cpu, loss] of rows) {
    console.log(
      `| ${name} | ${s.toFixed(2)} | ${all.map((x) => x.toFixed(2)).join(', ')} | ${cpu.toFixed(2)} | ` +
        `${loss.toFixed(4)} | ${(omnifuse.seconds / s).toFixed(2)}× | ${(omnifuse.cpu / cpu).toFixed(2)}× |`,
    );
  }
  console.log(
    `load average after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('\n| omnifuse workers | samples/s | vs 1 worker | vs PyTorch at as many threads (wall) |');
  console.log('| --- | --- | --- | --- |');
  for (const r of runs) {
    const torch = torchRuns.find((t) => t.threads === r.workers);
    console.log(
      `| ${r.workers} | ${(samples / r.seconds).toFixed(1)} | ${(omnifuse.seconds / r.seconds).toFixed(2)}× | ` +
        `${torch ? `${(r.seconds / torch.seconds).toFixed(2)}× slower` : '—'} |`,
    );
  }
  if (!hasTorch) console.log('(no /usr/bin/python3 with torch: PyTorch comparison skipped)');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
