// Builds an AV-MNIST-style set (Vielzeuf et al. 2018; MultiBench) from ../shared/data: MNIST digits
// rebuilt from their top PCA components (most of the energy removed), each paired with a spoken
// recording of the same digit from FSDD with seeded white noise mixed in. Writes PNG images, 16-bit
// WAVs and manifest.jsonl into --out. Deterministic for a seed.
//   node --conditions=@omnifuse/source --import tsx examples/av-mnist/build-dataset.mjs
// Flags (defaults shown): --train=6000 --validation=1000 --test=2000 --components=4 --snr=-10
//   --pca-samples=10000 --seed=1 --out=<tmp>/omnifuse-av-mnist --mnist=<MNIST_DIR> --fsdd=<FSDD_DIR>
// Train and validation images come from MNIST's training set, test images from t10k. Audio: train
// pairs take clips with recording index 5–44, validation pairs 45–49 (so validation never hears a
// training clip), test pairs 0–4, each a seeded choice among the clips of the image's digit.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRng, hashSeed, shuffled } from '@omnifuse/core';
import { decodeWav } from '@omnifuse/modality-audio';
import { idxImages, idxLabels, readIdxFile } from '@omnifuse/modality-vision';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED = path.resolve(here, '../../../shared/data');
const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** Mixed clips are scaled to this peak, so white noise far louder than the speech never clips. */
const PEAK = 0.9;

export const DEFAULTS = {
  train: 6000,
  validation: 1000,
  test: 2000,
  components: 4,
  snr: -10,
  pcaSamples: 10_000,
  seed: 1,
  mnist: process.env.MNIST_DIR ?? path.join(SHARED, 'mnist'),
  fsdd: process.env.FSDD_DIR ?? path.join(SHARED, 'fsdd/recordings'),
  out: process.env.AV_MNIST_DIR ?? path.join(os.tmpdir(), 'omnifuse-av-mnist'),
};

/** Clip recording indices per split (FSDD's own split: 0–4 test, 5–49 train). */
export const CLIP_INDICES = { train: [5, 44], validation: [45, 49], test: [0, 4] };

// ---------------------------------------------------------------------------------------------
// PCA on flattened 28×28 images: covariance of a subset, top-k eigenvectors by power iteration with
// deflation (784×784 is small; the covariance product dominates the time).

/**
 * Mean and covariance (float64, row-major 784×784) of the given images. The sums of products are
 * taken over non-zero pixels only (MNIST is ~80% background, so ~30× fewer products) and are exact
 * integers in float64; the mean is subtracted afterwards: cov = (XᵀX − n·μμᵀ) / (n − 1).
 */
export function covariance(images) {
  const n = images.length;
  const mean = new Float64Array(PIXELS);
  const gram = new Float64Array(PIXELS * PIXELS);
  const nonZero = new Int32Array(PIXELS);
  for (const image of images) {
    let count = 0;
    for (let p = 0; p < PIXELS; p++) {
      if (image[p] !== 0) nonZero[count++] = p;
      mean[p] += image[p];
    }
    for (let a = 0; a < count; a++) {
      const i = nonZero[a];
      const xi = image[i];
      const row = i * PIXELS;
      for (let b = a; b < count; b++) gram[row + nonZero[b]] += xi * image[nonZero[b]];
    }
  }
  for (let p = 0; p < PIXELS; p++) mean[p] /= n;
  const cov = new Float64Array(PIXELS * PIXELS);
  for (let i = 0; i < PIXELS; i++) {
    for (let j = i; j < PIXELS; j++) {
      const value = (gram[i * PIXELS + j] - n * mean[i] * mean[j]) / (n - 1);
      cov[i * PIXELS + j] = value;
      cov[j * PIXELS + i] = value;
    }
  }
  return { mean, cov };
}

/** Top `k` eigenpairs of a symmetric positive semi-definite matrix, by power iteration + deflation. */
export function topEigenvectors(matrix, dim, k, { seed = 1, tolerance = 1e-12, maxIterations = 5000 } = {}) {
  const a = Float64Array.from(matrix);
  const rng = createRng(seed);
  const vectors = [];
  const values = [];
  let iterations = 0;
  const next = new Float64Array(dim);
  for (let c = 0; c < k; c++) {
    let v = Float64Array.from({ length: dim }, () => rng.normal());
    normalise(v);
    let lambda = 0;
    for (let it = 0; it < maxIterations; it++) {
      iterations++;
      for (let i = 0; i < dim; i++) {
        let sum = 0;
        const row = i * dim;
        for (let j = 0; j < dim; j++) sum += a[row + j] * v[j];
        next[i] = sum;
      }
      const estimate = dot(next, v);
      v = Float64Array.from(next);
      normalise(v);
      const done = Math.abs(estimate - lambda) <= tolerance * Math.abs(estimate);
      lambda = estimate;
      if (done) break;
    }
    // Deflate: remove this component so the next iteration finds the next one.
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) a[i * dim + j] -= lambda * v[i] * v[j];
    vectors.push(v);
    values.push(lambda);
  }
  return { vectors, values, iterations };
}

function dot(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function normalise(v) {
  const norm = Math.sqrt(dot(v, v));
  for (let i = 0; i < v.length; i++) v[i] /= norm;
}

/** Fits PCA on images (Uint8Array 784 each): mean, top components and the variance they explain. */
export function fitPca(images, components, seed = 1) {
  const { mean, cov } = covariance(images);
  let trace = 0;
  for (let i = 0; i < PIXELS; i++) trace += cov[i * PIXELS + i];
  const { vectors, values, iterations } = topEigenvectors(cov, PIXELS, components, { seed });
  const explained = values.reduce((s, v) => s + v, 0) / trace;
  return { mean, vectors, values, trace, explained, iterations };
}

/** Mean + projection onto the components, rounded and clipped to 0–255. */
export function reconstruct(pca, image) {
  const { mean, vectors } = pca;
  const out = Float64Array.from(mean);
  for (const v of vectors) {
    let coefficient = 0;
    for (let p = 0; p < PIXELS; p++) coefficient += (image[p] - mean[p]) * v[p];
    for (let p = 0; p < PIXELS; p++) out[p] += coefficient * v[p];
  }
  return Uint8Array.from(out, (x) => Math.min(255, Math.max(0, Math.round(x))));
}

// ---------------------------------------------------------------------------------------------
// Audio: white noise at a target SNR (power over the whole clip), peak-normalised, 16-bit PCM.

/** Clip + Gaussian white noise with power P_clip / 10^(snr/10), scaled to peak `PEAK`. */
export function mixWhiteNoise(clean, snrDb, rng) {
  let power = 0;
  for (const s of clean) power += s * s;
  power /= clean.length;
  const sigma = Math.sqrt(power / 10 ** (snrDb / 10));
  const mixed = new Float32Array(clean.length);
  let peak = 0;
  for (let i = 0; i < clean.length; i++) {
    mixed[i] = clean[i] + sigma * rng.normal();
    peak = Math.max(peak, Math.abs(mixed[i]));
  }
  const gain = PEAK / peak;
  for (let i = 0; i < mixed.length; i++) mixed[i] *= gain;
  return { samples: mixed, gain };
}

/** A mono 16-bit PCM WAV file. */
export function encodeWav16(samples, sampleRate) {
  const bytes = Buffer.alloc(44 + samples.length * 2);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(36 + samples.length * 2, 4);
  bytes.write('WAVEfmt ', 8, 'ascii');
  bytes.writeUInt32LE(16, 16); // fmt chunk size
  bytes.writeUInt16LE(1, 20); // PCM
  bytes.writeUInt16LE(1, 22); // mono
  bytes.writeUInt32LE(sampleRate, 24);
  bytes.writeUInt32LE(sampleRate * 2, 28); // byte rate
  bytes.writeUInt16LE(2, 32); // block align
  bytes.writeUInt16LE(16, 34);
  bytes.write('data', 36, 'ascii');
  bytes.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    bytes.writeInt16LE(Math.round(s * 32767), 44 + i * 2);
  }
  return bytes;
}

/** `{digit, speaker, index}` of an FSDD file name `{digit}_{speaker}_{index}.wav`. */
export function parseClipName(file) {
  const [digit, speaker, index] = path.basename(file, '.wav').split('_');
  return { digit: Number(digit), speaker, index: Number(index) };
}

// ---------------------------------------------------------------------------------------------

async function readMnist(dir, set) {
  const images = idxImages(await readIdxFile(path.join(dir, `${set}-images-idx3-ubyte.gz`)));
  const labels = idxLabels(await readIdxFile(path.join(dir, `${set}-labels-idx1-ubyte.gz`)));
  return { images: images.map((image) => image.data), labels };
}

/** FSDD clip names by split and digit. */
function clipPools(fsddDir) {
  const pools = { train: [], validation: [], test: [] };
  for (const split of Object.keys(pools)) pools[split] = Array.from({ length: 10 }, () => []);
  for (const file of readdirSync(fsddDir).sort()) {
    if (!file.endsWith('.wav')) continue;
    const { digit, index } = parseClipName(file);
    for (const [split, [lo, hi]] of Object.entries(CLIP_INDICES)) {
      if (index >= lo && index <= hi) pools[split][digit].push(file);
    }
  }
  return pools;
}

async function inBatches(items, size, work) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/**
 * Builds the set and returns a summary (also written to `<out>/build.json`); `log` receives
 * progress events (`{ stage, ... }`).
 */
export async function buildAvMnist(options = {}, log = () => {}) {
  const o = { ...DEFAULTS, ...options };
  const started = performance.now();
  const seconds = () => +((performance.now() - started) / 1000).toFixed(2);
  const rng = createRng(o.seed);

  const [mnistTrain, mnistTest] = await Promise.all([
    readMnist(o.mnist, 'train'),
    readMnist(o.mnist, 't10k'),
  ]);
  const trainOrder = shuffled(
    Array.from({ length: mnistTrain.images.length }, (_, i) => i),
    rng.fork('mnist-train'),
  );
  const testOrder = shuffled(
    Array.from({ length: mnistTest.images.length }, (_, i) => i),
    rng.fork('mnist-test'),
  );
  if (o.train + o.validation > trainOrder.length || o.test > testOrder.length) {
    throw new Error(`asked for more pairs than MNIST has (${o.train}+${o.validation} / ${o.test})`);
  }

  // 1. PCA on a seeded subset of the MNIST training images.
  const pcaStart = performance.now();
  const pcaSubset = shuffled(trainOrder, rng.fork('pca'))
    .slice(0, o.pcaSamples)
    .map((i) => mnistTrain.images[i]);
  const pca = fitPca(pcaSubset, o.components, o.seed);
  const pcaSeconds = +((performance.now() - pcaStart) / 1000).toFixed(2);
  log({
    stage: 'pca',
    components: o.components,
    samples: pcaSubset.length,
    explained: +pca.explained.toFixed(4),
    iterations: pca.iterations,
    seconds: pcaSeconds,
  });

  // 2. Pairs: each image with a clip of its digit from the split's index range.
  const pools = clipPools(o.fsdd);
  const plan = [
    ['train', trainOrder.slice(0, o.train), mnistTrain, 'train'],
    ['validation', trainOrder.slice(o.train, o.train + o.validation), mnistTrain, 'train'],
    ['test', testOrder.slice(0, o.test), mnistTest, 't10k'],
  ];
  const pairs = [];
  for (const [split, indices, source, set] of plan) {
    const pick = rng.fork(`clips-${split}`);
    indices.forEach((mnistIndex, n) => {
      const label = source.labels[mnistIndex];
      const pool = pools[split][label];
      if (pool.length === 0) throw new Error(`no FSDD clip of digit ${label} for ${split} in ${o.fsdd}`);
      const id = `${split}-${String(n).padStart(5, '0')}`;
      pairs.push({
        id,
        split,
        label,
        image: source.images[mnistIndex],
        mnist: `${set}:${mnistIndex}`,
        clip: pool[pick.int(pool.length)],
      });
    });
  }

  // 3. Files.
  for (const dir of ['images', 'audio']) {
    for (const split of Object.keys(CLIP_INDICES))
      mkdirSync(path.join(o.out, dir, split), { recursive: true });
  }
  const clipCache = new Map();
  const readClip = (file) => {
    if (!clipCache.has(file)) {
      const wav = decodeWav(readFileSync(path.join(o.fsdd, file)), { file });
      clipCache.set(file, { sampleRate: wav.sampleRate, samples: wav.samples[0] });
    }
    return clipCache.get(file);
  };
  const lines = [];
  let done = 0;
  await inBatches(pairs, 64, async (pair) => {
    const image = `images/${pair.split}/${pair.id}.png`;
    const audio = `audio/${pair.split}/${pair.id}.wav`;
    const pixels = reconstruct(pca, pair.image);
    // b-w: sharp would otherwise write a one-channel raw input as an RGB PNG.
    await sharp(Buffer.from(pixels), { raw: { width: SIDE, height: SIDE, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(path.join(o.out, image));
    const clean = readClip(pair.clip);
    // The noise depends only on the seed and the pair id, not on the order files are written in.
    const { samples, gain } = mixWhiteNoise(
      clean.samples,
      o.snr,
      createRng(hashSeed(`${o.seed}:${pair.id}`)),
    );
    writeFileSync(path.join(o.out, audio), encodeWav16(samples, clean.sampleRate));
    lines.push({
      id: pair.id,
      image,
      audio,
      label: String(pair.label),
      split: pair.split,
      mnist: pair.mnist,
      clip: pair.clip,
      gain: +gain.toPrecision(9),
    });
    done++;
    if (done % 1000 === 0 || done === pairs.length) log({ stage: 'files', done, total: pairs.length });
  });
  lines.sort((a, b) => (a.id < b.id ? -1 : 1));
  writeFileSync(path.join(o.out, 'manifest.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  writeFileSync(
    path.join(o.out, 'pca.json'),
    JSON.stringify({ mean: [...pca.mean], components: pca.vectors.map((v) => [...v]), values: pca.values }),
  );

  const summary = {
    out: o.out,
    pairs: { train: o.train, validation: o.validation, test: o.test },
    components: o.components,
    pcaSamples: pcaSubset.length,
    explainedVariance: pca.explained,
    snrDb: o.snr,
    seed: o.seed,
    pcaSeconds,
    seconds: seconds(),
  };
  writeFileSync(path.join(o.out, 'build.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log({ stage: 'done', ...summary });
  return summary;
}

function parseFlags(argv) {
  const flags = {};
  for (const arg of argv) {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    const name = key.replace(/-(\w)/g, (_, c) => c.toUpperCase());
    flags[name] = ['out', 'mnist', 'fsdd'].includes(name) ? path.resolve(value) : Number(value);
    if (Number.isNaN(flags[name])) throw new Error(`--${key} needs a number`);
  }
  return flags;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await buildAvMnist(parseFlags(process.argv.slice(2)), (event) => console.log(JSON.stringify(event)));
}
