// Runs as is from the repository root after `npm run build`: node packages/runtime/examples/select-backend.mjs
import { describeBackends, selectBackend } from '@omnifuse/runtime';

// 1. What is installed, read from package manifests: no native code loads.
const report = await describeBackends();
for (const b of report.backends) {
  console.log(
    `${b.name.padEnd(15)} ${b.installed ? `${b.package} ${b.version}` : `npm install ${b.missing.join(' ')}`}`,
  );
}

// 2. The best backend that loads, and why each better one did not. The backend is process-wide:
//    select once, at start-up, and pass the selection on.
const backend = await selectBackend('auto');
console.log(`backend: ${backend.name} (${backend.package} ${backend.version})`);
for (const [name, reason] of Object.entries(backend.reasons)) console.log(`  not ${name}: ${reason}`);

// 3. Compute through the tfjs namespace it returns (the app's own @tensorflow/tfjs).
const { tf } = backend;
const sum = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum());
console.log(`sum of squares: ${await sum.data()}`);
