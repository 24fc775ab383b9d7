// Times the backward pass of a training-mode BatchNormalization on [40,112,112,6] (the MultiBench
// LF LeNet's first activation) on wasm, under tfjs-core's FusedBatchNorm gradient and omnifuse's,
// interleaved in one process, and prints the medians, their ratio and the Tile kernels each runs.
// Run: node --import tsx bench/batch-norm-grad.mjs [--shape=40,112,112,6] [--reps=7]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const shape = (args.get('shape') ?? '40,112,112,6').split(',').map(Number);
const reps = Number(args.get('reps') ?? 7);
const backend = args.get('backend') ?? 'wasm';

const { fusedBatchNormGrad } = await import('../packages/runtime/src/kernels/fused-batch-norm-grad.ts');
await tf.setBackend(backend);
await tf.ready();
const grads = { tfjs: tf.getGradient('FusedBatchNorm'), omnifuse: fusedBatchNormGrad(tf) };

const layer = tf.layers.batchNormalization({});
layer.build(shape);
// x a variable: the activation of a layer below, so dx is needed as in a training step.
const x = tf.variable(tf.randomNormal(shape));
const w = tf.randomNormal(shape);
const backward = () =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(w, layer.apply(x, { training: true }))));
    return [value, ...Object.values(grads)];
  });

async function time(name) {
  tf.registerGradient(grads[name]);
  const start = performance.now();
  const out = backward();
  await Promise.all(out.map((t) => t.data()));
  tf.dispose(out);
  return performance.now() - start;
}

const samples = { tfjs: [], omnifuse: [] };
const tiles = {};
for (const name of Object.keys(grads)) {
  tf.registerGradient(grads[name]);
  const profile = await tf.profile(() => backward());
  tiles[name] = profile.kernels.filter((k) => k.name === 'Tile').length;
  await time(name); // warm-up
}
for (let r = 0; r < reps; r++) for (const name of Object.keys(grads)) samples[name].push(await time(name));
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const [t, o] = [median(samples.tfjs), median(samples.omnifuse)];
console.log(`backend ${backend}, x [${shape}], ${reps} reps (one forward + backward to x, gamma, beta)`);
console.log(`tfjs gradient     ${t.toFixed(1)} ms  (${tiles.tfjs} Tile kernels)`);
console.log(`omnifuse gradient ${o.toFixed(1)} ms  (${tiles.omnifuse} Tile kernels)`);
console.log(`ratio tfjs / omnifuse: ${(t / o).toFixed(2)}x`);
