// HTTP load on @omnifuse/serve: autocannon against `POST /v1/predict` with one trimodal JSON request
// (an 8×8 grey PNG and a 0.25 s tone WAV as base64, plus a caption) on the tiny three-input bundle
// the serve tests train (packages/serve/src/fixtures/tiny-bundle.ts: vision:cnn + optional
// text:tfidf + optional audio:cnn1d, attention fusion, cpu backend). The baseline, measured in the
// same run on the server's own loaded model, is `model.predict([record])` called directly
// in-process, as many times as the server answered, once with 1 call in flight and once with
// `connections` in flight; the ratios are server / direct.
//
//   node --conditions=@omnifuse/source --import tsx bench/serve-load.mjs \
//     [--duration=10] [--connections=4] [--warmup=2] [--retrain]
//
// The bundle is trained once (about 0.5 s) into $TMPDIR/omnifuse-bench-serve-load and reused.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const duration = Number(args.get('duration') ?? 10);
const connections = Number(args.get('connections') ?? 4);
const warmup = Number(args.get('warmup') ?? 2);

const { greyPng, tinyPlugins, toneWav, trainTinyBundle } = await import(
  '../packages/serve/src/fixtures/tiny-bundle.ts'
);
const { createServer } = await import('../packages/serve/src/index.ts');

const work = path.join(os.tmpdir(), 'omnifuse-bench-serve-load');
const bundleDir = path.join(work, 'bundle');
const haveBundle = existsSync(bundleDir) && readdirSync(bundleDir).length > 0;
let trainedMs;
if (!haveBundle || args.has('retrain')) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const start = performance.now();
  await trainTinyBundle(work);
  trainedMs = performance.now() - start;
}

const png = await greyPng(220);
const wav = toneWav(0.25, 880);
const caption = 'a bright sunny day';
const body = JSON.stringify({
  inputs: {
    photo: { base64: png.toString('base64'), mediaType: 'image/png' },
    caption,
    sound: { base64: wav.toString('base64'), mediaType: 'audio/wav' },
  },
});

const server = await createServer({ bundleDir, registry: tinyPlugins });
const address = await server.listen({ port: 0, host: '127.0.0.1' });
const url = `${address}/v1/predict`;

// One request first: a wrong body would otherwise show up only as non-2xx counts.
const probe = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const probeBody = await probe.json();
if (probe.status !== 200 || probeBody.missing?.length !== 0) {
  console.error(`probe request failed: ${probe.status} ${JSON.stringify(probeBody)}`);
  await server.close();
  process.exit(1);
}

const cannon = (seconds) =>
  autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
  });
if (warmup > 0) await cannon(warmup);
const load = await cannon(duration);
const status503 = load.statusCodeStats?.['503']?.count ?? 0;

// Direct baseline: the same record the server builds (media as bytes), same number of calls.
const model = server.model;
const calls = Math.max(load.requests.total, 1);
const record = () => ({
  photo: new Uint8Array(Buffer.from(png.toString('base64'), 'base64')),
  caption,
  sound: new Uint8Array(Buffer.from(wav.toString('base64'), 'base64')),
});
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
async function direct(inFlight) {
  const latencies = [];
  let next = 0;
  let errors = 0;
  const worker = async () => {
    while (next < calls) {
      next++;
      const t = performance.now();
      try {
        await model.predict([record()]);
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t);
    }
  };
  for (let i = 0; i < Math.min(50, calls); i++) await model.predict([record()]); // warm-up
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}
const directOne = await direct(1);
const directMany = connections > 1 ? await direct(connections) : undefined;
await server.close();

console.log(
  `tiny trimodal bundle (vision:cnn 8×8 + text:tfidf + audio:cnn1d 0.25 s, fusion:attention, cpu), ` +
    `${trainedMs === undefined ? 'reused' : `trained in ${(trainedMs / 1000).toFixed(1)} s`} at ${bundleDir}; ` +
    `request body ${body.length} B; ${duration} s at ${connections} connections after ${warmup} s warm-up; ` +
    `server limits concurrency ${server.limits.concurrency}, queue ${server.limits.queue}; ` +
    `direct: ${calls} calls; Node ${process.versions.node}, ${os.cpus().length} CPUs, ` +
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
);
console.log('| variant | requests/s | p50 ms | p99 ms | errors | non-2xx | 503s | server / direct (req/s) |');
console.log('| ------- | ---------- | ------ | ------ | ------ | ------- | ---- | ----------------------- |');
const serverPerSecond = load.requests.total / (load.duration || duration);
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
console.log(
  `| HTTP \`POST /v1/predict\`, ${connections} connections | ${fmt(serverPerSecond)} | ${fmt(load.latency.p50)} | ` +
    `${fmt(load.latency.p99)} | ${load.errors + load.timeouts} | ${load.non2xx} | ${status503} | — |`,
);
for (const [label, d] of [
  ['direct `model.predict()`, 1 in flight', directOne],
  [`direct \`model.predict()\`, ${connections} in flight`, directMany],
]) {
  if (!d) continue;
  console.log(
    `| ${label} | ${fmt(d.perSecond)} | ${fmt(d.p50)} | ${fmt(d.p99)} | ${d.errors} | — | — | ` +
      `${(serverPerSecond / d.perSecond).toFixed(2)}× |`,
  );
}
if (load.errors + load.timeouts + load.non2xx > 0) {
  console.error('the load run had errors or non-2xx responses');
  process.exitCode = 1;
}
