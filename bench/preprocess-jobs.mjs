// Feature extraction on threads: `omnifuse preprocess --jobs`'s pool (@omnifuse/trainer's
// createPreprocessPool) against the calling thread, on the same real FSDD clips in the same run.
// Each pass preprocesses every clip with audio:cnn2d's default features (1.4 s at 8 kHz, 112-band
// log-mel, 113×112) from the WAV files, cache off: read, decode, resample, STFT, mel, log. Each
// setting gets a pool whose threads are started and warmed by one untimed pass over 64 clips; then
// passes alternate (1 job, N jobs, 1 job, …) and the best of `runs` counts. The threads' start (module
// loading, once per pool) is timed separately.
//
//   node --conditions=@omnifuse/source --import tsx bench/preprocess-jobs.mjs [--n=2500] [--jobs=2] [--runs=3]
//
// Needs ../shared/data/fsdd/recordings.
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataset, createRegistry, parseModelSpec } from '@omnifuse/core';
import { cnn2dEncoderPlugin } from '@omnifuse/modality-audio';
import { createPreprocessPool, fitEncoders } from '@omnifuse/trainer';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const n = Number(args.get('n') ?? 2500);
const jobs = Number(args.get('jobs') ?? 2);
const runs = Number(args.get('runs') ?? 3);

const recordings = path.resolve(here, '../../shared/data/fsdd/recordings');
if (!existsSync(recordings)) {
  console.error(`missing ${recordings}`);
  process.exit(1);
}
const files = readdirSync(recordings)
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .slice(0, n);
const dataset = createDataset(
  files.map((file) => ({ id: file, audio: file, label: file[0] })),
  { root: recordings, fieldTypes: { audio: 'audio' } },
);
const spec = parseModelSpec({
  inputs: [{ field: 'audio', encoder: 'audio:cnn2d' }],
  output: { type: 'classification', field: 'label' },
});
const { encoder, state } = (
  await fitEncoders(spec, createRegistry([cnn2dEncoderPlugin]), dataset.subset([0]))
).audio;
const recipe = { id: encoder.id, options: spec.inputs[0].options, state };
const plugins = { modules: ['@omnifuse/modality-audio'], baseDir: path.resolve(here, '..') };

const pools = {
  1: createPreprocessPool({ jobs: 1, plugins }),
  [jobs]: createPreprocessPool({ jobs, plugins }),
};
const warm = dataset.subset(Array.from({ length: 64 }, (_, i) => i));
const startSeconds = {};
for (const count of [1, jobs]) {
  const started = performance.now();
  await pools[count].preprocessField(warm, 'audio', encoder, recipe, {});
  startSeconds[count] = (performance.now() - started) / 1000;
}

async function pass(count) {
  const started = performance.now();
  const batch = await pools[count].preprocessField(dataset, 'audio', encoder, recipe, {});
  if (batch.stats.computed !== dataset.size) throw new Error('not every clip was computed');
  return { seconds: (performance.now() - started) / 1000, checksum: batch.data.reduce((a, b) => a + b, 0) };
}

const best = { 1: Number.POSITIVE_INFINITY, [jobs]: Number.POSITIVE_INFINITY };
const checksums = new Set();
for (let run = 0; run < runs; run++) {
  for (const count of [1, jobs]) {
    const result = await pass(count);
    best[count] = Math.min(best[count], result.seconds);
    checksums.add(result.checksum.toFixed(3));
  }
}
await Promise.all(Object.values(pools).map((pool) => pool.close()));
const shape = encoder.featureSpec(state).shape.join('×');
console.log(
  `audio:cnn2d features (${shape}) of ${dataset.size} FSDD clips, cache off, best of ${runs}; ` +
    `${os.availableParallelism()} cores; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
console.log('| jobs | seconds | clips/s | vs 1 job | start + first 64 clips (s) |');
console.log('| --- | --- | --- | --- | --- |');
for (const count of [1, jobs]) {
  console.log(
    `| ${count} | ${best[count].toFixed(2)} | ${(dataset.size / best[count]).toFixed(0)} | ` +
      `${(best[1] / best[count]).toFixed(2)}× | ${startSeconds[count].toFixed(2)} |`,
  );
}
console.log(checksums.size === 1 ? 'features identical in every pass' : `FEATURES DIFFER: ${[...checksums]}`);
