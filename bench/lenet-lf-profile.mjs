// Per-kernel profile of one training step of the MultiBench LF LeNet (bench/lenet-lf.mjs's model, batch
// 40) on wasm, before and after omnifuse's faster training kernels, in one run: "before" registers the
// plain-JS Conv2DBackpropFilter and MaxPoolGrad, wasm's own Conv2DBackpropInput and tfjs-core's
// FusedBatchNorm gradient; "after" is what
// selectBackend('wasm') installs. Prints kernel time per kernel name (median of --steps profiled steps
// after a warm-up), the top kernels and the step totals with their ratio.
//
//   node --conditions=@omnifuse/source --import tsx bench/lenet-lf-profile.mjs [--steps=3] [--top=10]
import { buildLenetLf, syntheticTable } from './lenet-lf.mjs';

const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const steps = Number(args.get('steps') ?? 3);
const top = Number(args.get('top') ?? 10);
const batch = 40;

// wasm's own Conv2DBackpropInput, kept before selectBackend replaces it with omnifuse's SIMD kernel.
const tfjs = await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-wasm');
const builtInInputGrad = tfjs.getKernel('Conv2DBackpropInput', 'wasm');
const { selectBackend } = await import('@omnifuse/runtime');
const { tf } = await selectBackend('wasm');
const { conv2dBackpropInputKernel } = await import(
  '../packages/runtime/src/kernels/conv2d-backprop-input.ts'
);
// tfjs-core's own gradient, kept before anything replaces it again (selectBackend already did).
const { fusedBatchNormGradConfig: tfjsBatchNormGrad } = await import(
  '@tensorflow/tfjs-core/dist/gradients/FusedBatchNorm_grad.js'
).catch(() => ({}));
const { conv2dBackpropFilterKernel } = await import(
  '../packages/runtime/src/kernels/conv2d-backprop-filter.ts'
);
const { fusedBatchNormGrad } = await import('../packages/runtime/src/kernels/fused-batch-norm-grad.ts');
const { maxPoolGradKernel } = await import('../packages/runtime/src/kernels/max-pool-grad.ts');

function useKernels(which) {
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel(conv2dBackpropFilterKernel(tf, { engine: which === 'before' ? 'js' : 'auto' }));
  tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel(maxPoolGradKernel(tf, { engine: which === 'before' ? 'js' : 'auto' }));
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel(which === 'before' ? builtInInputGrad : conv2dBackpropInputKernel(tf));
  // A wasm kernel binds its C++ function when the backend starts; one registered later binds here.
  if (which === 'before') builtInInputGrad.setupFunc?.(tf.backend());
  tf.registerGradient(which === 'before' ? tfjsBatchNormGrad : fusedBatchNormGrad(tf));
}

const { model } = await buildLenetLf(tf);
const { table } = syntheticTable(tf, batch, model.inputNames);
const xs = model.inputNames.map((name) => table.inputs[name]);
const optimizer = tf.train.adam(1e-3);
const step = () =>
  optimizer.minimize(
    () => tf.losses.softmaxCrossEntropy(table.target, model.apply(xs, { training: true })),
    true,
  );

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function profileSteps(which) {
  useKernels(which);
  tf.dispose(step()); // warm-up (and kernel caches)
  const perName = new Map();
  const totals = [];
  for (let i = 0; i < steps; i++) {
    const profile = await tf.profile(async () => {
      const loss = step();
      await loss.data();
      loss.dispose();
    });
    let total = 0;
    const byName = new Map();
    for (const k of profile.kernels) {
      const ms = Number(k.kernelTimeMs) || 0;
      total += ms;
      byName.set(k.name, (byName.get(k.name) ?? 0) + ms);
    }
    totals.push(total);
    for (const [name, ms] of byName) perName.set(name, [...(perName.get(name) ?? []), ms]);
  }
  return { total: median(totals), perName: new Map([...perName].map(([n, v]) => [n, median(v)])) };
}

if (!tfjsBatchNormGrad) throw new Error("could not import tfjs-core's FusedBatchNorm gradient");
const before = await profileSteps('before');
const after = await profileSteps('after');
useKernels('after');

const names = [...new Set([...before.perName.keys(), ...after.perName.keys()])]
  .sort((a, b) => (before.perName.get(b) ?? 0) - (before.perName.get(a) ?? 0))
  .slice(0, top);
console.log(
  `LF LeNet, one training step (batch ${batch}, Adam), wasm; kernel time, median of ${steps} profiled steps`,
);
console.log('| kernel | before ms | after ms | before / after |');
console.log('| --- | --- | --- | --- |');
for (const name of names) {
  const b = before.perName.get(name) ?? 0;
  const a = after.perName.get(name) ?? 0;
  console.log(`| ${name} | ${b.toFixed(0)} | ${a.toFixed(0)} | ${a > 0 ? `${(b / a).toFixed(2)}×` : '—'} |`);
}
console.log(
  `| **all kernels** | ${before.total.toFixed(0)} | ${after.total.toFixed(0)} | **${(before.total / after.total).toFixed(2)}×** |`,
);
