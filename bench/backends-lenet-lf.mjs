// One training epoch of MultiBench's AV-MNIST late-fusion LeNet (the model of bench/lenet-lf.mjs:
// vision:cnn LeNet on 28×28, audio:cnn2d LeNet on 112×112, fusion:concat, MLP head) on each tfjs
// backend omnifuse can load here (BACKEND_NAMES: tensorflow-gpu, webgpu on Dawn, tensorflow, wasm, cpu), each in
// its own process (a tfjs backend is process-wide), with the same seeded synthetic data and
// weights. Prints samples/s per backend and the ratio of each to the CPU backends measured in the
// same run. Needs nothing from the network: run it from a copy of the repository with node_modules.
//
//   node --conditions=@omnifuse/source --import tsx bench/backends-lenet-lf.mjs \
//     [--backends=tensorflow-gpu,webgpu,tensorflow,wasm,cpu] [--samples=400] [--batch=40] [--allow-software]
//
// A backend that cannot load is listed with the reason. `webgpu` on a software adapter (Mesa
// llvmpipe) runs only with --allow-software, and its row says so: that number is no GPU's.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildLenetLf, syntheticTable } from './lenet-lf.mjs';

const here = fileURLToPath(import.meta.url);
const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const samples = Number(args.get('samples') ?? 400);
const batch = Number(args.get('batch') ?? 40);
const allowSoftware = args.has('allow-software');

/** Worker: one backend, a 2-batch warm-up, then one timed epoch; prints one JSON line. */
async function worker(name) {
  const { selectBackend } = await import('@omnifuse/runtime');
  const { createSupervisedTrainer } = await import('@omnifuse/trainer');
  const backend = await selectBackend(name, { webgpu: { allowSoftware } });
  const tf = backend.tf;
  const { model, inputNames, task } = await buildLenetLf(tf, { batchSize: batch });
  const trainer = createSupervisedTrainer();
  const options = {
    epochs: 1,
    batchSize: batch,
    learningRate: 1e-3,
    optimizer: 'adam',
    shuffle: true,
    seed: 1,
  };
  const warm = syntheticTable(tf, 2 * batch, inputNames, 11).table;
  await trainer.fit({ model, task, train: warm, options });
  const { table } = syntheticTable(tf, samples, inputNames);
  const started = performance.now();
  const history = await trainer.fit({ model, task, train: table, options });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      backend: name,
      tfjsBackend: tf.getBackend(),
      version: backend.version,
      adapter: backend.adapter ?? null,
      seconds,
      samplesPerSecond: samples / seconds,
      loss: history.epochs.at(-1).loss,
    })}\n`,
  );
}

async function main() {
  const { BACKEND_NAMES } = await import('@omnifuse/core');
  const names = (args.get('backends') ?? BACKEND_NAMES.join(',')).split(',').filter(Boolean);
  const rows = [];
  for (const name of names) {
    const run = spawnSync(
      process.execPath,
      [...process.execArgv, here, ...process.argv.slice(2), `--worker=${name}`],
      {
        encoding: 'utf8',
        env: process.env,
      },
    );
    const line = run.stdout.trim().split('\n').at(-1);
    if (run.status === 0 && line?.startsWith('{')) rows.push(JSON.parse(line));
    else {
      const reason = (
        run.stderr.match(/OmnifuseError: (.*)/)?.[1] ??
        run.stderr.trim().split('\n').at(-1) ??
        ''
      ).slice(0, 160);
      rows.push({ backend: name, failed: reason });
    }
  }
  const cpuRows = rows.filter((r) => !r.failed && (r.backend === 'wasm' || r.backend === 'cpu'));
  console.log(
    `AV-MNIST LF LeNet, one epoch of ${samples} synthetic samples (28×28×1 + 112×112×1), batch ${batch}, Adam; ` +
      `${os.cpus().length} CPU cores (${os.cpus()[0]?.model ?? 'unknown'}); load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    `| backend | device | samples/s | epoch s | loss | ${cpuRows.map((r) => `× ${r.backend}`).join(' | ')} |`,
  );
  console.log(`| --- | --- | --- | --- | --- | ${cpuRows.map(() => '---').join(' | ')} |`);
  for (const r of rows) {
    if (r.failed) {
      console.log(
        `| ${r.backend} | not available: ${r.failed} | | | | ${cpuRows.map(() => '').join(' | ')} |`,
      );
      continue;
    }
    const device = r.adapter
      ? `${r.adapter.device || r.adapter.description}${r.adapter.software ? ' (software)' : ''}`
      : (os.cpus()[0]?.model ?? 'cpu');
    const ratios = cpuRows.map((c) => `${(r.samplesPerSecond / c.samplesPerSecond).toFixed(2)}×`);
    console.log(
      `| ${r.backend} | ${device} | ${r.samplesPerSecond.toFixed(1)} | ${r.seconds.toFixed(2)} | ${r.loss.toFixed(4)} | ${ratios.join(' | ')} |`,
    );
  }
}

const workerName = args.get('worker');
if (workerName) await worker(workerName);
else await main();
