// The supervised trainer's step time against a hand-written tfjs loop on the same model, backend,
// weights, batches and optimiser, in the same run. The model is MultiBench's AV-MNIST LF LeNet
// composed through omnifuse (bench/lenet-lf.mjs) on seeded synthetic tensors; the backend is wasm
// with omnifuse's training kernels (@omnifuse/runtime's selectBackend). The trainer runs through its plugin's
// `fit(args)` on prebuilt tensor tables (no preprocessing, cache, checkpoints or progress); the
// hand-written loops are tf.variableGrads + an optimiser, with the trainer's shuffled order.
//
//   node --conditions=@omnifuse/source --import tsx bench/trainer-step.mjs [--steps=30] [--warmup=5] [--rounds=5] [--batch=40]
//
// Variants, run in rotating order each round from the same initial weights:
//   trainer       createSupervisedTrainer().fit, one epoch of `steps` batches (shuffle, Adam 1e-3)
//   hand          tf.tidy(variableGrads(mean categorical cross-entropy) → tf.train.adam applyGradients),
//                 then `await loss.data()` (the trainer reads each batch's loss too)
//   hand+omniAdam the same with the trainer's optimiser (createOptimizer('adam').step) instead
//   hand+trainer  the same plus the trainer's objective (trainingLoss) and correctCount, i.e. the
//                 trainer's step without its loop (Promise.all of two reads, callbacks, finite check)
// A step's time is the time between consecutive batch ends, as wall time and as this process's CPU
// time (process.cpuUsage: on a VM shared with other jobs, wall time swings with their load); the
// first `warmup` steps of each run are dropped and the median over all rounds is reported.
import os from 'node:os';
import { buildLenetLf, parameterCounts, syntheticTable } from './lenet-lf.mjs';

const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const steps = Number(args.get('steps') ?? 30);
const warmup = Number(args.get('warmup') ?? 5);
const rounds = Number(args.get('rounds') ?? 5);
const batchSize = Number(args.get('batch') ?? 40);
const learningRate = 1e-3;
const seed = 1;

const { createRng, shuffled } = await import('@omnifuse/core');
const { selectBackend } = await import('@omnifuse/runtime');
const { createSupervisedTrainer, createOptimizer, correctCount } = await import('@omnifuse/trainer');
// Not exported by the package: the trainer's training objective, imported from the source.
const { trainingLoss } = await import('../packages/trainer/src/training-loss.ts');

const backend = await selectBackend('wasm');
const tf = backend.tf;
const { model, inputNames, task } = await buildLenetLf(tf, { batchSize });
const initial = model.getWeights().map((w) => w.clone());
const size = steps * batchSize;
const { table } = syntheticTable(tf, size, inputNames);
const variables = model.trainableWeights.map((w) => w.read());
const trainer = createSupervisedTrainer();
// The trainer's epoch-0 order: createRng(seed).fork('shuffle').fork('epoch:0').
const order = shuffled(
  Array.from({ length: size }, (_, i) => i),
  createRng(seed).fork('shuffle').fork('epoch:0'),
);

function resetWeights() {
  model.setWeights(initial);
}

/** This process's CPU time in ms (user + system): less sensitive than wall time to other jobs' load. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const diffs = (marks) => marks.slice(1).map((t, i) => t - marks[i]);

async function runTrainer() {
  const ends = [];
  const cpuEnds = [];
  let begun = 0;
  let cpuBegun = 0;
  const history = await trainer.fit({
    model,
    task,
    train: table,
    options: { epochs: 1, batchSize, learningRate, optimizer: 'adam', shuffle: true, seed },
    callbacks: [
      {
        onTrainBegin: () => {
          begun = performance.now();
          cpuBegun = cpuMs();
        },
        onBatchEnd: () => {
          ends.push(performance.now());
          cpuEnds.push(cpuMs());
        },
      },
    ],
  });
  return { times: diffs([begun, ...ends]), cpu: diffs([cpuBegun, ...cpuEnds]), loss: history.epochs[0].loss };
}

/** `kind`: 'hand' (tf.train.adam), 'omniAdam' (the trainer's optimiser), 'trainer' (+ its loss and metric). */
async function runHand(kind) {
  const tfAdam = kind === 'hand' ? tf.train.adam(learningRate) : null;
  const omniAdam = kind === 'hand' ? null : createOptimizer('adam');
  const shaping = { classWeights: null, labelSmoothing: 0 };
  const marks = [performance.now()];
  const cpuMarks = [cpuMs()];
  let lossSum = 0;
  for (let b = 0; b < steps; b++) {
    const rows = order.slice(b * batchSize, (b + 1) * batchSize);
    let correct = null;
    const loss = tf.tidy(() => {
      const index = tf.tensor1d(rows, 'int32');
      const inputs = inputNames.map((name) => tf.gather(table.inputs[name], index));
      const target = tf.gather(table.target, index);
      const { value, grads } = tf.variableGrads(() => {
        const prediction = model.apply(inputs, { training: true });
        if (kind !== 'trainer') return tf.mean(tf.metrics.categoricalCrossentropy(target, prediction));
        correct = tf.keep(correctCount(task, target, prediction));
        return trainingLoss(task, target, prediction, shaping);
      }, variables);
      if (tfAdam) tfAdam.applyGradients(grads);
      else
        omniAdam.step(
          variables,
          variables.map((v) => grads[v.name] ?? null),
          learningRate,
        );
      return value;
    });
    const [value] = await Promise.all([loss.data(), correct?.data()]);
    tf.dispose([loss, correct ?? []]);
    lossSum += value[0] * rows.length;
    marks.push(performance.now());
    cpuMarks.push(cpuMs());
  }
  tfAdam?.dispose();
  omniAdam?.dispose();
  return { times: diffs(marks), cpu: diffs(cpuMarks), loss: lossSum / size };
}

const variants = {
  trainer: runTrainer,
  hand: () => runHand('hand'),
  'hand+omniAdam': () => runHand('omniAdam'),
  'hand+trainer': () => runHand('trainer'),
};
const names = Object.keys(variants);
const results = Object.fromEntries(
  names.map((n) => [n, { times: [], cpu: [], rounds: [], cpuRounds: [], losses: [] }]),
);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const loadBefore = os.loadavg();
const tensorsBefore = tf.memory().numTensors;
for (let r = 0; r < rounds; r++) {
  // Rotate the order each round so drift and cache effects fall on every variant alike.
  for (let k = 0; k < names.length; k++) {
    const name = names[(r + k) % names.length];
    resetWeights();
    const { times, cpu, loss } = await variants[name]();
    const kept = times.slice(warmup);
    const keptCpu = cpu.slice(warmup);
    results[name].times.push(...kept);
    results[name].cpu.push(...keptCpu);
    results[name].rounds.push(median(kept));
    results[name].cpuRounds.push(median(keptCpu));
    results[name].losses.push(loss);
  }
}
const loadAfter = os.loadavg();
const leaked = tf.memory().numTensors - tensorsBefore;

const params = parameterCounts(model);
console.log(
  `AV-MNIST LF LeNet (${params.total} trainable parameters), batch ${batchSize}, Adam ${learningRate}; ` +
    `${steps} steps per run, first ${warmup} dropped, ${rounds} rounds; tfjs ${tf.version.tfjs} ${tf.getBackend()} ` +
    `(omnifuse kernels: ${backend.kernels.join(', ')})`,
);
console.log(
  `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter
    .map((l) => l.toFixed(2))
    .join(' ')}; tensors leaked across all runs: ${leaked}`,
);
const base = median(results.hand.times);
const cpuBase = median(results.hand.cpu);
const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(
  '| variant | wall ms/step (median) | per-round medians | CPU ms/step (median) | per-round medians | ' +
    'epoch loss (round 1) | / hand (wall) | / hand (CPU) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const name of names) {
  const r = results[name];
  const m = median(r.times);
  const c = median(r.cpu);
  console.log(
    `| ${name} | ${m.toFixed(1)} | ${fmt(r.rounds)} | ${c.toFixed(1)} | ${fmt(r.cpuRounds)} | ` +
      `${r.losses[0].toFixed(5)} | ${(m / base).toFixed(3)}× | ${(c / cpuBase).toFixed(3)}× |`,
  );
}
const ratio = median(results.trainer.times) / base;
const cpuRatio = median(results.trainer.cpu) / cpuBase;
const verdict = (x) => (x <= 1.05 ? 'OK' : 'ABOVE TARGET');
console.log(
  `trainer / hand-written: wall ${ratio.toFixed(3)}× (${verdict(ratio)}), CPU ${cpuRatio.toFixed(3)}× ` +
    `(${verdict(cpuRatio)}); target ≤ 1.05×`,
);
tf.dispose([...initial, ...Object.values(table.inputs), table.target]);
model.dispose();
