// Audio feature throughput: @omnifuse/modality-audio's `createFeatureExtractor` (log-mel and MFCC)
// against a vectorised numpy/scipy implementation of the same formulas (bench/audio-features-numpy.py,
// run with Debian's /usr/bin/python3) on the same real FSDD clips in the same run. Both sides decode
// the WAVs before timing and time only the feature computation; the best of `runs` passes counts.
// One thread on each side (the numpy baseline's BLAS is pinned to one thread too).
//
//   node --import tsx bench/audio-features.mjs [--n=500] [--runs=5] [--nfft=256] [--hop=64]
//
// With --multibench it times MultiBench's AV-MNIST spectrogram instead (magnitude, nFft 222 =
// 2 · 3 · 37, 112 frames, 112 bins, log1p(10 · x), on the clips centre-fitted to 1 s): the O(n²)
// direct DFT that every size but a power of two used before, against the mixed-radix / Bluestein
// FFT in the same pipeline and in `createFeatureExtractor`, as clips/s and ratios to the direct DFT.
//
// Needs ../shared/data/fsdd/recordings (8 kHz mono 16-bit PCM) and python3-scipy.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const n = Number(args.get('n') ?? 500);
const runs = Number(args.get('runs') ?? 5);
const config = {
  sampleRate: 8000,
  nFft: Number(args.get('nfft') ?? 256),
  hopLength: Number(args.get('hop') ?? 64),
  nMels: 40,
  nMfcc: 13,
};

const { createFeatureExtractor, createRealFft, createWindow } = await import(
  '../packages/modality-audio/src/features/index.ts'
);
const { createDirectRealDft } = await import('../packages/modality-audio/src/features/fft.ts');
const { fitDuration } = await import('../packages/modality-audio/src/signal/fit-duration.ts');

const recordings = path.resolve(here, '../../shared/data/fsdd/recordings');
if (!existsSync(recordings)) {
  console.error(`missing ${recordings}`);
  process.exit(1);
}
const files = readdirSync(recordings)
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / n)) === 0)
  .slice(0, n)
  .map((f) => path.join(recordings, f));

/** Mono 16-bit PCM samples in [-1, 1). */
function readPcm16(file) {
  const bytes = readFileSync(file);
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'data') {
      const count = Math.floor(Math.min(size, bytes.length - offset - 8) / 2);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes.readInt16LE(offset + 8 + 2 * i) / 32768;
      return out;
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

const clips = files.map(readPcm16);
const seconds = clips.reduce((a, c) => a + c.length, 0) / config.sampleRate;

function timeKind(kind, engine) {
  const extractor = createFeatureExtractor({ ...config, kind, engine });
  let best = Number.POSITIVE_INFINITY;
  let checksum = 0;
  for (let r = 0; r < runs + 1; r++) {
    const start = performance.now();
    let sum = 0;
    for (const clip of clips) {
      const { data } = extractor.extract(clip);
      for (let i = 0; i < data.length; i++) sum += data[i];
    }
    const elapsed = performance.now() - start;
    if (r > 0) best = Math.min(best, elapsed); // the first pass warms up the JIT
    checksum = sum;
  }
  return { clipsPerSecond: clips.length / (best / 1000), checksum };
}

const MULTIBENCH = { kind: 'magnitude', nFft: 222, frames: 112, bins: 112, log1p: 10 };

/**
 * The MultiBench spectrogram with a given real FFT, as createStft and the extractor compute it (frame
 * t at floor(t · (L − nFft) / (frames − 1)), periodic Hann, |X| of the first bins, log1p(10 · x)).
 */
function multibenchSpectrogram(fft, window, clip) {
  const { nFft, frames, bins, log1p } = MULTIBENCH;
  const x = Float64Array.from(clip);
  const row = new Float64Array(fft.bins);
  const out = new Float32Array(frames * bins);
  const span = x.length - nFft;
  for (let t = 0; t < frames; t++) {
    fft.powerFrame(x, Math.floor((t * span) / (frames - 1)), window, row, 0, true);
    for (let k = 0; k < bins; k++) out[t * bins + k] = Math.log1p(log1p * row[k]);
  }
  return out;
}

/** `direct` (the O(n²) DFT) or `fast` (createRealFft) in the pipeline above, or the `extractor`. */
function timeMultibench(variant) {
  const oneSecond = clips.map((clip) => fitDuration(clip, config.sampleRate, { mode: 'centre' }));
  let features;
  if (variant === 'extractor') {
    const extractor = createFeatureExtractor({ sampleRate: config.sampleRate, ...MULTIBENCH });
    features = (clip) => extractor.extract(clip).data;
  } else {
    const fft = variant === 'direct' ? createDirectRealDft(MULTIBENCH.nFft) : createRealFft(MULTIBENCH.nFft);
    const window = createWindow('hann', MULTIBENCH.nFft);
    features = (clip) => multibenchSpectrogram(fft, window, clip);
  }
  let best = Number.POSITIVE_INFINITY;
  let checksum = 0;
  for (let r = 0; r < runs + 1; r++) {
    const start = performance.now();
    let sum = 0;
    for (const clip of oneSecond) {
      const data = features(clip);
      for (let i = 0; i < data.length; i++) sum += data[i];
    }
    const elapsed = performance.now() - start;
    if (r > 0) best = Math.min(best, elapsed);
    checksum = sum;
  }
  return { clipsPerSecond: clips.length / (best / 1000), checksum };
}

// Each kind is timed in its own process, as an application holds one configuration: timing a
// second configuration in the same process runs ~25% slower (V8 shares optimised code between the
// extractors' closures and deoptimises it on the second shape).
const only = args.get('only');
if (only) {
  const [kind, engine] = only.split(':');
  console.log(JSON.stringify(kind === 'multibench' ? timeMultibench(engine) : timeKind(kind, engine)));
  process.exit(0);
}
function timeKindInChild(kind) {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), `--only=${kind}`],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) {
    console.error(child.stderr);
    process.exit(1);
  }
  return JSON.parse(child.stdout.trim().split('\n').at(-1));
}
if (args.has('multibench')) {
  const variants = ['direct', 'fast', 'extractor'];
  const timed = Object.fromEntries(variants.map((v) => [v, timeKindInChild(`multibench:${v}`)]));
  const base = timed.direct;
  console.log(
    `${clips.length} FSDD clips fitted to 1 s, MultiBench AV-MNIST spectrogram ` +
      `(magnitude, nFft ${MULTIBENCH.nFft}, ${MULTIBENCH.frames} frames, ${MULTIBENCH.bins} bins, ` +
      `log1p ${MULTIBENCH.log1p}); best of ${runs}`,
  );
  console.log('| real FFT                          | clips/s | / direct DFT | checksum agreement |');
  console.log('| --------------------------------- | ------- | ------------ | ------------------ |');
  const labels = {
    direct: 'direct O(n²) DFT (before)',
    fast: 'createRealFft (after)',
    extractor: 'createFeatureExtractor (after)',
  };
  for (const v of variants) {
    const { clipsPerSecond, checksum } = timed[v];
    const agreement = Math.abs(checksum - base.checksum) / Math.max(1, Math.abs(base.checksum));
    console.log(
      `| ${labels[v].padEnd(33)} | ${clipsPerSecond.toFixed(0).padStart(7)} | ` +
        `${(clipsPerSecond / base.clipsPerSecond).toFixed(2).padStart(11)}× | ${agreement.toExponential(1).padStart(18)} |`,
    );
  }
  process.exit(0);
}

// The default engine (WebAssembly SIMD) and the plain-JavaScript fallback.
const engines = ['wasm', 'js'];
const ours = {};
for (const kind of ['logmel', 'mfcc'])
  for (const engine of engines) ours[`${kind}:${engine}`] = timeKindInChild(`${kind}:${engine}`);

const python = spawnSync('/usr/bin/python3', [path.join(here, 'audio-features-numpy.py')], {
  input: JSON.stringify({ files, runs, ...config }),
  encoding: 'utf8',
  env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  maxBuffer: 1 << 20,
});
if (python.status !== 0) {
  console.error(python.stderr);
  process.exit(1);
}
const numpy = JSON.parse(python.stdout.trim().split('\n').at(-1));

console.log(
  `${clips.length} FSDD clips (${seconds.toFixed(1)} s of audio), nFft ${config.nFft}, hop ${config.hopLength}, ` +
    `${config.nMels} mels, ${config.nMfcc} MFCCs; best of ${runs}; numpy ${numpy.numpy}, scipy ${numpy.scipy}`,
);
console.log(
  '| features | engine | omnifuse clips/s | numpy clips/s | omnifuse / numpy | checksum agreement |',
);
console.log(
  '| -------- | ------ | ---------------- | ------------- | ---------------- | ------------------ |',
);
for (const kind of ['logmel', 'mfcc']) {
  for (const engine of engines) {
    const a = ours[`${kind}:${engine}`];
    const b = numpy[kind];
    const agreement = Math.abs(a.checksum - b.checksum) / Math.max(1, Math.abs(b.checksum));
    console.log(
      `| ${kind.padEnd(8)} | ${engine.padEnd(6)} | ${a.clipsPerSecond.toFixed(0).padStart(16)} | ` +
        `${b.clipsPerSecond.toFixed(0).padStart(13)} | ` +
        `${(a.clipsPerSecond / b.clipsPerSecond).toFixed(2).padStart(15)}× | ${agreement.toExponential(1).padStart(18)} |`,
    );
  }
}
